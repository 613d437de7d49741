package io.diffii.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffii.augment.Tiny;
import io.diffii.model.StableDiffusion;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TwoStageSamplerTest {

  @Test
  void splitRatioZeroIsThePlainPromptAndOneIsTheSuffixedPromptThroughout() {
    try (StableDiffusion sd = Tiny.model();
        NDManager m = NDManager.newBaseManager()) {
      SdPipeline pipe = new SdPipeline(sd);
      NDArray start = pipe.noise(m, 1, new Random(4));
      List<String> plain = List.of("a photo of a bag");
      List<String> suffix = List.of("in the snow");
      float[] s0 = new TwoStageSampler(pipe, 10, 3, 0).sample(start, plain, suffix).toFloatArray();
      float[] half =
          new TwoStageSampler(pipe, 10, 3, 0.5).sample(start, plain, suffix).toFloatArray();
      float[] s1 = new TwoStageSampler(pipe, 10, 3, 1).sample(start, plain, suffix).toFloatArray();
      float[] plainOnly =
          pipe.sample(start, PromptSchedule.constant(pipe.embed(m, plain)), 10, 3).toFloatArray();
      float[] suffixedOnly =
          pipe.sample(
                  start,
                  PromptSchedule.constant(pipe.embed(m, List.of("a photo of a bag in the snow"))),
                  10,
                  3)
              .toFloatArray();
      assertArrayEquals(plainOnly, s0, 1e-6f);
      assertArrayEquals(suffixedOnly, s1, 1e-6f);
      assertFalse(Arrays.equals(half, s0) || Arrays.equals(half, s1), "s = 0.5 mixes both prompts");
    }
  }
}
