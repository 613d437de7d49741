package io.diffii.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class GroupNormTest {

  @Test
  void normalisesWithTheBiasedVarianceOfTheGroup() {
    try (NDManager m = NDManager.newBaseManager()) {
      // One sample, one group of 4 values: mean 2.5, biased variance 1.25.
      NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 2, 2));
      NDArray y = GroupNorm.groupNorm(x, m.ones(new Shape(2)), m.zeros(new Shape(2)), 1, 0f);
      float s = (float) Math.sqrt(1.25);
      assertArrayEquals(
          new float[] {-1.5f / s, -0.5f / s, 0.5f / s, 1.5f / s}, y.toFloatArray(), 1e-6f);
    }
  }

  @Test
  void matchesTheClosedFormPerSampleAndGroupWithPerChannelAffine() {
    int b = 2;
    int c = 6;
    int groups = 3;
    int hw = 12;
    float eps = 1e-5f;
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(7);
      NDArray x = m.randomNormal(new Shape(b, c, 3, 4)).mul(3).add(1);
      NDArray gamma = m.randomNormal(new Shape(c));
      NDArray beta = m.randomNormal(new Shape(c));
      float[] xs = x.toFloatArray();
      float[] g = gamma.toFloatArray();
      float[] bt = beta.toFloatArray();
      float[] expected = new float[xs.length];
      int perGroup = c / groups * hw;
      for (int n = 0; n < b; n++) {
        for (int grp = 0; grp < groups; grp++) {
          int start = (n * c + grp * (c / groups)) * hw;
          double mean = 0;
          for (int i = 0; i < perGroup; i++) {
            mean += xs[start + i];
          }
          mean /= perGroup;
          double var = 0;
          for (int i = 0; i < perGroup; i++) {
            var += (xs[start + i] - mean) * (xs[start + i] - mean);
          }
          var /= perGroup;
          for (int i = 0; i < perGroup; i++) {
            int channel = grp * (c / groups) + i / hw;
            expected[start + i] =
                (float) ((xs[start + i] - mean) / Math.sqrt(var + eps) * g[channel] + bt[channel]);
          }
        }
      }
      NDArray y = GroupNorm.groupNorm(x, gamma, beta, groups, eps);
      assertEquals(x.getShape(), y.getShape());
      assertArrayEquals(expected, y.toFloatArray(), 1e-5f);
    }
  }

  @Test
  void blockNamesItsParametersWeightAndBiasAndRejectsIndivisibleChannels() {
    GroupNorm norm = new GroupNorm(8, 32, 1e-6f);
    assertEquals(new Shape(32), norm.stateDict().get("weight").getShape());
    assertEquals(new Shape(32), norm.stateDict().get("bias").getShape());
    assertThrows(IllegalArgumentException.class, () -> new GroupNorm(8, 36, 1e-6f));
  }
}
