package io.diffii.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.augment.Tiny;
import io.diffii.data.ImageDataset;
import io.diffii.invert.InversionPool;
import io.diffii.model.MicroBatch;
import io.diffii.model.StableDiffusion;
import io.diffii.nn.Compute;
import io.diffii.nn.NoGrad;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every pipeline stage gives the same values whether the budget fits the whole batch or one image
 * at a time, up to float32 rounding: the engine picks other kernels for other batch sizes, so a VAE
 * encoding moved by 2.6e-6 and a 4-step inversion by 1.0e-5 (measured), not bit for bit.
 */
class MicroBatchedPipelineTest {

  @TempDir Path dir;

  @AfterEach
  void restore() {
    Compute.memoryBytes(0);
  }

  /** A budget that leaves room for one image of anything after the attention chunks. */
  private static void oneAtATime() {
    Compute.memoryBytes(3 * Compute.chunkBytes() + 1);
  }

  @Test
  void encodeDecodeSampleAndInvertMatchTheWholeBatchOneImageAtATime() {
    ImageDataset train = Tiny.scenes(2, 2);
    try (NoGrad off = NoGrad.open();
        StableDiffusion sd = Tiny.model();
        NDManager m = sd.manager().newSubManager()) {
      SdPipeline pipe = new SdPipeline(sd);
      assertTrue(MicroBatch.decoding(sd) >= 4 && MicroBatch.denoising(sd, true) >= 4);
      float[] pixels = new float[4 * 3 * 32 * 32];
      for (int i = 0; i < 4; i++) {
        System.arraycopy(train.image(i).data(), 0, pixels, i * 3 * 32 * 32, 3 * 32 * 32);
      }
      NDArray images = m.create(pixels, new Shape(4, 3, 32, 32));
      List<String> prompts = List.of("a photo of a shoe", "a photo", "a bag", "");
      Function<SdPipeline, List<NDArray>> run =
          p -> {
            NDArray latents = p.encode(images);
            NDArray start = p.noise(m, 4, new Random(3));
            NDArray cond = p.embed(m, prompts);
            return List.of(
                latents,
                p.decode(latents),
                cond,
                p.invert(latents, prompts, 4, 1.0),
                p.sample(start, PromptSchedule.constant(cond), 4, 3.0),
                new TwoStageSampler(p, 4, 3.0, 0.5)
                    .images(start, prompts, Collections.nCopies(4, "on grass")));
          };
      List<NDArray> whole = run.apply(pipe);
      oneAtATime();
      assertEquals(1, MicroBatch.decoding(sd));
      assertEquals(1, MicroBatch.denoising(sd, true));
      List<NDArray> single = run.apply(pipe);
      for (int k = 0; k < whole.size(); k++) {
        assertClose(whole.get(k), single.get(k), "output " + k);
      }
    }
  }

  @Test
  void anInversionPoolBuiltOneImageAtATimeHoldsTheSameLatents() {
    ImageDataset train = Tiny.scenes(3, 2);
    try (StableDiffusion sd = Tiny.model();
        NDManager m = sd.manager().newSubManager()) {
      SdPipeline pipe = new SdPipeline(sd);
      InversionPool whole = InversionPool.build(pipe, train, c -> "a photo", dir.resolve("a"), 4);
      oneAtATime();
      InversionPool single = InversionPool.build(pipe, train, c -> "a photo", dir.resolve("b"), 4);
      for (int c = 0; c < 2; c++) {
        for (int i = 0; i < whole.entries(c).size(); i++) {
          assertClose(whole.latent(m, c, i), single.latent(m, c, i), "latent " + c + "/" + i);
        }
      }
    }
  }

  /** Within 1e-5 of the largest magnitude (at least 1): float32 rounding, not another result. */
  private static void assertClose(NDArray expected, NDArray actual, String what) {
    assertEquals(expected.getShape(), actual.getShape(), what);
    float scale = Math.max(1, expected.abs().max().getFloat());
    float diff = expected.sub(actual).abs().max().getFloat();
    assertTrue(diff <= 1e-5 * scale, what + " differs by " + diff + " at magnitude " + scale);
  }
}
