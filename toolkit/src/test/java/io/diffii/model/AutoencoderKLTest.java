package io.diffii.model;

import static io.diffii.model.UNet2DConditionModelTest.FIXTURE;
import static io.diffii.model.UNet2DConditionModelTest.loadWeights;
import static io.diffii.model.UNet2DConditionModelTest.maxAbsDiff;
import static io.diffii.model.UNet2DConditionModelTest.parameterCount;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.diffii.io.Safetensors;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AutoencoderKLTest {

  @Test
  void encodeAndDecodeMatchDiffusersOnTheTinyFixture() {
    try (NDManager m = NDManager.newBaseManager()) {
      AutoencoderKL vae = new AutoencoderKL(VaeConfig.fromJson(FIXTURE.resolve("vae/config.json")));
      loadWeights(vae, FIXTURE.resolve("vae/diffusion_pytorch_model.safetensors"), m);
      assertEquals(0.18215f, vae.scalingFactor());

      Map<String, NDArray> enc =
          Safetensors.readAll(FIXTURE.resolve("io/vae_encode.safetensors"), m);
      NDList posterior = vae.encode(enc.get("images"));
      float meanErr = maxAbsDiff(posterior.get(0), enc.get("latent_dist.mean"));
      float logvarErr = maxAbsDiff(posterior.get(1), enc.get("latent_dist.logvar"));

      Map<String, NDArray> dec =
          Safetensors.readAll(FIXTURE.resolve("io/vae_decode.safetensors"), m);
      float decodeErr = maxAbsDiff(vae.decode(dec.get("latents")), dec.get("sample"));
      System.out.printf(
          "vae parity max abs error: mean %g logvar %g decode %g%n", meanErr, logvarErr, decodeErr);
      assertTrue(meanErr <= 1e-4, "mean error " + meanErr);
      assertTrue(logvarErr <= 1e-4, "logvar error " + logvarErr);
      assertTrue(decodeErr <= 1e-4, "decode error " + decodeErr);
    }
  }

  @Test
  void sd15PresetHasThePublishedParameterCountWithoutAllocating() {
    AutoencoderKL vae = new AutoencoderKL(VaeConfig.sd15());
    assertEquals(83_653_863L, parameterCount(vae));
    assertTrue(vae.stateDict().values().stream().noneMatch(Parameter::isInitialized));
    System.out.println(
        "tiny vae parameters " + parameterCount(new AutoencoderKL(VaeConfig.tiny())));
  }

  @Test
  void threeLevelsGiveAFactorOfFourAndTheMidAttentionCanBeLeftOut() {
    VaeConfig config =
        new VaeConfig(3, 3, java.util.List.of(32, 64, 64), 1, 4, 32, 0.5f, false, true, true);
    AutoencoderKL vae = new AutoencoderKL(config);
    assertTrue(vae.stateDict().keySet().stream().noneMatch(k -> k.contains("attentions")));
    assertTrue(vae.stateDict().containsKey("decoder.mid_block.resnets.1.conv2.weight"));
    assertEquals(
        new ai.djl.ndarray.types.Shape(32, 64, 3, 3),
        vae.stateDict().get("decoder.up_blocks.2.resnets.0.conv1.weight").getShape());
    try (NDManager m = NDManager.newBaseManager()) {
      vae.initializeParameters(m);
      NDList posterior =
          vae.encode(m.randomUniform(-1, 1, new ai.djl.ndarray.types.Shape(2, 3, 32, 32)));
      assertEquals(new ai.djl.ndarray.types.Shape(2, 4, 8, 8), posterior.get(0).getShape());
      assertEquals(
          new ai.djl.ndarray.types.Shape(2, 3, 32, 32), vae.decode(posterior.get(0)).getShape());
    }
  }
}
