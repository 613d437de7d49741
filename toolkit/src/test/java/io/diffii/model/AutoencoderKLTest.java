package io.diffii.model;

import static io.diffii.model.UNet2DConditionModelTest.FIXTURE;
import static io.diffii.model.UNet2DConditionModelTest.loadWeights;
import static io.diffii.model.UNet2DConditionModelTest.maxAbsDiff;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutoencoderKLTest {

  @Test
  void encodeAndDecodeMatchDiffusersOnTheTinyFixture() {
    try (NDManager m = NDManager.newBaseManager()) {
      AutoencoderKL vae = new AutoencoderKL(VaeConfig.fromJson(FIXTURE.resolve("vae/config.json")));
      loadWeights(vae, FIXTURE.resolve("vae/diffusion_pytorch_model.safetensors"), m);
      assertEquals(0.18215f, vae.scalingFactor());

      Map<String, NDArray> enc = Safetensors.readAll(FIXTURE.resolve("io/vae_encode.safetensors"), m);
      NDList posterior = vae.encode(enc.get("images"));
      float meanErr = maxAbsDiff(posterior.get(0), enc.get("latent_dist.mean"));
      float logvarErr = maxAbsDiff(posterior.get(1), enc.get("latent_dist.logvar"));

      Map<String, NDArray> dec = Safetensors.readAll(FIXTURE.resolve("io/vae_decode.safetensors"), m);
      float decodeErr = maxAbsDiff(vae.decode(dec.get("latents")), dec.get("sample"));
      System.out.printf("vae parity max abs error: mean %g logvar %g decode %g%n", meanErr, logvarErr, decodeErr);
      assertTrue(meanErr <= 1e-4, "mean error " + meanErr);
      assertTrue(logvarErr <= 1e-4, "logvar error " + logvarErr);
      assertTrue(decodeErr <= 1e-4, "decode error " + decodeErr);
    }
  }
}
