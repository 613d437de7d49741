package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.io.Resident;
import org.junit.jupiter.api.Test;

class UNetMemoryTest {

  private static int arrays(NDManager manager) {
    return ((BaseNDManager) manager).getManagedArrays().size();
  }

  @Test
  void fiveHundredForwardsKeepNativeMemoryFlat() {
    UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.tiny());
    try (NDManager weights = NDManager.newBaseManager();
        NDManager run = NDManager.newBaseManager()) {
      weights.getEngine().setRandomSeed(0);
      unet.initializeParameters(weights);
      int weightArrays = arrays(weights);
      // From here on, an array created in the weight manager throws: a forward pass must put
      // everything it makes in the caller's manager.
      weights.cap();
      long warm = 0;
      long start = System.nanoTime();
      for (int i = 0; i < 500; i++) {
        if (i == 100) {
          warm = Resident.kib();
        }
        try (NDManager step = run.newSubManager()) {
          NDArray latents = step.randomNormal(new Shape(1, 4, 8, 8));
          NDArray context = step.randomNormal(new Shape(1, 77, 128));
          NDArray out = unet.predictNoise(latents, step.create(new long[] {i}), context);
          assertEquals(latents.getShape(), out.getShape());
        }
        assertEquals(0, arrays(run), "arrays left behind by forward " + i);
      }
      long growth = Resident.kib() - warm;
      System.out.printf(
          "500 tiny-UNet forwards at batch 1: %.1f s, resident growth after warm-up %d KiB%n",
          (System.nanoTime() - start) / 1e9, growth);
      assertEquals(weightArrays, arrays(weights));
      // Leaking every array of each pass grew the resident set by 3 GB over this loop (about 8 MB
      // a pass, measured); the bound leaves room for the JVM heap, which varies between
      // collections.
      assertTrue(growth < 256 * 1024, "resident memory grew by " + growth + " KiB");
    }
  }
}
