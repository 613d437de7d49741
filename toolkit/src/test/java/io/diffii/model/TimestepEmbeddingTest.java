package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class TimestepEmbeddingTest {

  private static float[] closedForm(long[] ts, int dim, boolean flip, float shift) {
    int half = dim / 2;
    float[] out = new float[ts.length * dim];
    for (int b = 0; b < ts.length; b++) {
      for (int k = 0; k < half; k++) {
        double angle = ts[b] * Math.exp(-Math.log(10000) * k / (half - shift));
        out[b * dim + (flip ? half + k : k)] = (float) Math.sin(angle);
        out[b * dim + (flip ? k : half + k)] = (float) Math.cos(angle);
      }
    }
    return out;
  }

  @Test
  void sinusoidalFeaturesMatchTheClosedFormWithFlipAndShift() {
    long[] ts = {0, 10, 999};
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray t = m.create(ts);
      for (boolean flip : new boolean[] {true, false}) {
        for (float shift : new float[] {0f, 1f}) {
          NDArray f = TimestepEmbedding.sinusoidal(t, 8, flip, shift);
          assertEquals(new Shape(3, 8), f.getShape());
          // Angles reach ~1e3 rad, where float32 rounding of the angle alone is ~3e-5.
          assertArrayEquals(closedForm(ts, 8, flip, shift), f.toFloatArray(), 2e-4f);
        }
      }
    }
  }

  @Test
  void oddWidthAppendsAZeroColumn() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray f = TimestepEmbedding.sinusoidal(m.create(new long[] {5}), 7, true, 0f);
      assertEquals(new Shape(1, 7), f.getShape());
      float[] v = f.toFloatArray();
      assertEquals(0f, v[6]);
      assertEquals((float) Math.cos(5), v[0], 1e-6f);
    }
  }
}
