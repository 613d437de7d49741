package io.diffii.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffii.augment.Tiny;
import io.diffii.io.Resident;
import io.diffii.model.StableDiffusion;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The cheap native-memory soak: many guided sampling steps and decodes of the shipped model in one
 * JVM, as generation runs them; the resident set must stay flat once warm. Measured: 240 steps,
 * resident growth after warm-up -13 MiB. (The full soak, three 5-shot trials in one JVM, is {@link
 * io.diffii.bench.TrialSoakBench}.)
 */
class SamplingMemoryTest {

  private static final int SAMPLES = 12;
  private static final int STEPS = 20;

  private static int arrays(NDManager manager) {
    return ((BaseNDManager) manager).getManagedArrays().size();
  }

  // 147 s on 2 busy cores (measured); a leak of one step's arrays shows within a few samples.
  @Tag("slow")
  @Test
  void twoHundredFortyGuidedSamplingStepsKeepNativeMemoryFlat() {
    try (StableDiffusion sd = Tiny.model();
        NDManager m = NDManager.newBaseManager()) {
      SdPipeline pipe = new SdPipeline(sd);
      NDArray prompts = pipe.embed(m, List.of("a photo of a bag"));
      int kept = arrays(m);
      long warm = 0;
      long start = System.nanoTime();
      for (int i = 0; i < SAMPLES; i++) {
        if (i == 3) {
          warm = Resident.kib();
        }
        try (NDManager sample = m.newSubManager()) {
          NDArray noise = pipe.noise(sample, 1, new Random(i));
          NDArray images =
              pipe.decode(pipe.sample(noise, PromptSchedule.constant(prompts), STEPS, 3));
          assertEquals(1, images.getShape().get(0));
          assertTrue(Float.isFinite(images.sum().getFloat()), "sample " + i);
        }
        assertEquals(kept, arrays(m), "arrays left behind by sample " + i);
      }
      long growth = Resident.kib() - warm;
      System.out.printf(
          "%d guided sampling steps and %d decodes: %.1f s, resident growth after warm-up %d KiB%n",
          SAMPLES * STEPS, SAMPLES, (System.nanoTime() - start) / 1e9, growth);
      // As UNetMemoryTest's bound: a leak of one step's arrays would pass it many times over; the
      // JVM heap varies between collections by less.
      assertTrue(growth < 128 * 1024, "resident memory grew by " + growth + " KiB");
    }
  }
}
