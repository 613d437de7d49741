package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.nn.Compute;
import io.diffii.nn.NoGrad;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MicroBatchTest {

  @Test
  void sizesFollowTheClosedFormsOfTheDocumentation() {
    // Tiny UNet: level 0 (64 ch, 8x8) has 2 blocks down and 4 up; level 1 (128 ch, 4x4) 2 down,
    // 4 up and 3 in the middle.
    long tiny = 4L * 56 * (6 * 64 * 64 + 9 * 128 * 16);
    assertEquals(tiny, MicroBatch.unetBytes(UNetConfig.tiny(), false));
    assertEquals(2 * tiny, MicroBatch.unetBytes(UNetConfig.tiny(), true));
    // SD 1.5 at 64x64 latents: 10 blocks at each attention level, 8 at the deepest.
    long sd15 = 4L * 56 * (10L * 320 * 4096 + 10L * 640 * 1024 + 10L * 1280 * 256 + 8L * 1280 * 64);
    assertEquals(sd15, MicroBatch.unetBytes(UNetConfig.sd15(), false));
    assertEquals(5_284_823_040L, sd15);
    // SD 1.5 VAE at 512 px: 2 (encoder) or 3 (decoder) residual blocks a level, 3 more deepest.
    long enc =
        4L
            * 25
            * (2L * 128 * 512 * 512
                + 2L * 256 * 256 * 256
                + 2L * 512 * 128 * 128
                + 5L * 512 * 64 * 64);
    long dec =
        4L
            * 25
            * (3L * 128 * 512 * 512
                + 3L * 256 * 256 * 256
                + 3L * 512 * 128 * 128
                + 6L * 512 * 64 * 64);
    assertEquals(enc, MicroBatch.encoderBytes(VaeConfig.sd15(), 512));
    assertEquals(dec, MicroBatch.decoderBytes(VaeConfig.sd15(), 512));
    assertEquals(18_874_368_000L, dec);
  }

  @Test
  void theBudgetDividesAfterThreeAttentionChunksAndNeverBelowOne() {
    long reserve = 3 * Compute.chunkBytes();
    assertEquals(10, MicroBatch.fit(100, reserve + 1000));
    assertEquals(10, MicroBatch.fit(100, reserve + 1099));
    assertEquals(1, MicroBatch.fit(100, reserve + 99));
    assertEquals(1, MicroBatch.fit(100, 1));
    assertEquals(Integer.MAX_VALUE, MicroBatch.fit(1, Long.MAX_VALUE));
    assertThrows(IllegalArgumentException.class, () -> MicroBatch.fit(0, 1000));
  }

  @Test
  void theEstimatesBoundWhatOneImageKeepsAliveInTheTinyModels() {
    try (NoGrad off = NoGrad.open();
        NDManager weights = NDManager.newBaseManager()) {
      UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.tiny());
      unet.initializeParameters(weights);
      AutoencoderKL vae = new AutoencoderKL(VaeConfig.tiny());
      vae.initializeParameters(weights);
      try (NDManager s = weights.newSubManager()) {
        NDArray x = s.randomNormal(new Shape(1, 4, 8, 8));
        NDArray context = s.randomNormal(new Shape(1, 77, 128));
        long before = bytes(s);
        unet.predictNoise(x, s.create(new long[] {5}), context);
        assertBounded(bytes(s) - before, MicroBatch.unetBytes(UNetConfig.tiny(), false), "UNet");
        NDArray image = s.randomUniform(0, 1, new Shape(1, 3, 64, 64));
        before = bytes(s);
        vae.encode(image);
        assertBounded(bytes(s) - before, MicroBatch.encoderBytes(VaeConfig.tiny(), 64), "encoder");
        NDArray latent = s.randomNormal(new Shape(1, 4, 16, 16));
        before = bytes(s);
        vae.decode(latent);
        assertBounded(bytes(s) - before, MicroBatch.decoderBytes(VaeConfig.tiny(), 64), "decoder");
      }
    }
  }

  /** The estimate must cover the measured bytes, and not by more than half again. */
  private static void assertBounded(long measured, long estimate, String what) {
    assertTrue(
        measured <= estimate && estimate < 1.5 * measured,
        what + ": measured " + measured + " bytes kept, estimated " + estimate);
  }

  /** Bytes of every array a manager holds (views counted as their own, as the estimate does). */
  private static long bytes(NDManager m) {
    long b = 0;
    for (NDArray a : ((BaseNDManager) m).getManagedArrays()) {
      if (!a.isReleased()) {
        b += a.getShape().size() * a.getDataType().getNumOfBytes();
      }
    }
    return b;
  }

  @Test
  void applyVisitsTheRowsInOrderAndConcatenatesTheResults() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.arange(0f, 10f).reshape(5, 2);
      List<long[]> seen = new ArrayList<>();
      NDArray y =
          MicroBatch.apply(
              x,
              2,
              (part, from, to) -> {
                seen.add(new long[] {from, to, part.getShape().get(0)});
                return part.mul(10);
              });
      assertArrayEquals(x.mul(10).toFloatArray(), y.toFloatArray());
      assertEquals(m, y.getManager());
      assertEquals(3, seen.size());
      assertArrayEquals(new long[] {4, 5, 1}, seen.get(2));
      NDArray whole = MicroBatch.apply(x, 5, (part, from, to) -> part.add(1));
      assertArrayEquals(x.add(1).toFloatArray(), whole.toFloatArray());
      assertThrows(IllegalArgumentException.class, () -> MicroBatch.apply(x, 0, (p, f, t) -> p));
    }
  }
}
