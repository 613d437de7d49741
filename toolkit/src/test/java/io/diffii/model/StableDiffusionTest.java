package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.TestFixtures;
import io.diffii.io.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StableDiffusionTest {

  @TempDir Path dir;

  @Test
  void loadsTheDiffusersFixtureAndReproducesItsUNetOutput() {
    Path root = TestFixtures.path("diffusers-tiny");
    try (StableDiffusion sd = StableDiffusion.load(root);
        NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> io = Safetensors.readAll(root.resolve("io/unet.safetensors"), m);
      NDArray out =
          sd.unet()
              .predictNoise(
                  io.get("latents"), io.get("timesteps"), io.get("encoder_hidden_states"));
      assertTrue(out.sub(io.get("sample")).abs().max().getFloat() < 1e-4);
      var e = assertThrows(IllegalStateException.class, sd::tokenizer);
      assertTrue(e.getMessage().contains("no tokenizer"), e.getMessage());
    }
  }

  @Test
  void saveThenLoadGivesIdenticalOutputs() throws Exception {
    Path root = TestFixtures.path("diffusers-tiny");
    try (StableDiffusion sd = StableDiffusion.load(root);
        NDManager m = NDManager.newBaseManager()) {
      sd.save(dir.resolve("copy"), Safetensors.Dtype.F32);
      try (StableDiffusion back = StableDiffusion.load(dir.resolve("copy"))) {
        NDArray latents = m.randomNormal(new Shape(1, 4, 8, 8));
        NDArray t = m.create(new long[] {321});
        NDArray ids = m.create(new long[] {998, 5, 17, 999, 999, 999}).reshape(1, -1);
        NDArray ctx = sd.textEncoder().encode(ids).get(0);
        assertArrayEquals(
            sd.textEncoder().encode(ids).get(1).toFloatArray(),
            back.textEncoder().encode(ids).get(1).toFloatArray());
        assertArrayEquals(
            sd.unet().predictNoise(latents, t, ctx).toFloatArray(),
            back.unet().predictNoise(latents, t, ctx).toFloatArray());
        NDArray images = m.randomUniform(-1, 1, new Shape(1, 3, 32, 32));
        assertArrayEquals(
            sd.vae().encode(images).get(0).toFloatArray(),
            back.vae().encode(images).get(0).toFloatArray());
      }
    }
  }

  @Test
  void aFolderWithoutARequiredComponentIsAClearError() throws Exception {
    Path root = TestFixtures.path("diffusers-tiny");
    Files.createDirectories(dir.resolve("broken"));
    Files.writeString(
        dir.resolve("broken/model_index.json"),
        Files.readString(root.resolve("model_index.json"))
            .replace("\"AutoencoderKL\"", "null")
            .replace("\"diffusers\",\n    null", "null,\n    null"));
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> StableDiffusion.load(dir.resolve("broken")));
    assertTrue(e.getMessage().contains("unet") || e.getMessage().contains("vae"), e.getMessage());
    var none = assertThrows(IllegalArgumentException.class, () -> StableDiffusion.load(dir));
    assertTrue(none.getMessage().contains("model_index.json"), none.getMessage());
  }
}
