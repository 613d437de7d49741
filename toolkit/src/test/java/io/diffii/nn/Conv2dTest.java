package io.diffii.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The input gradient of a convolution equals the textbook sum, whatever the memory it is computed
 * in last held. PyTorch's oneDNN backward-data kernel (CPU, kernels other than 1×1) reads the
 * padding of a partial 16-channel block of the output gradient and of the filters without writing
 * it first: with fewer than a multiple of 16 output channels the input gradient came out wrong by
 * as much as its own size (stale finite bytes), or NaN (stale NaN bytes) — the UNet's 4-channel
 * {@code conv_out}: NaN placeholder and LoRA gradients in some steps of some runs. The poisoned
 * variant fills arrays of the sizes oneDNN allocates with NaN and frees them just before backward.
 */
class Conv2dTest {

  private static final int B = 2;
  private static final int C = 32;
  private static final int HW = 8;

  @ParameterizedTest
  @ValueSource(longs = {1, 3, 4, 8, 16, 20, 32})
  void inputGradientIsTheTextbookSum(long out) {
    for (boolean poison : new boolean[] {false, true}) {
      for (int r = 0; r < 3; r++) {
        check((int) out, poison, r);
      }
    }
  }

  private static void check(int out, boolean poison, int repetition) {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(3 + repetition);
      NDArray x = m.randomNormal(new Shape(B, C, HW, HW));
      x.setRequiresGradient(true);
      NDArray w = m.randomNormal(new Shape(out, C, 3, 3)).mul(0.1f);
      NDArray b = m.randomNormal(new Shape(out));
      NDArray t = m.randomNormal(new Shape(B, out, HW, HW));
      float[] y;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray conv = Conv2d.conv2d(x, w, b, 1, 1);
        y = conv.toFloatArray();
        NDArray loss = conv.sub(t).square().sum();
        if (poison) {
          long block = (out + 15) / 16 * 16;
          for (int i = 0; i < 8; i++) {
            // The blocked output gradient [B, block, H, W] and filters [block, C, 3, 3].
            m.full(new Shape(B, block, HW, HW), Float.NaN).close();
            m.full(new Shape(block, C, 3, 3), Float.NaN).close();
          }
        }
        gc.backward(loss);
      }
      float[] g = x.getGradient().toFloatArray();
      double[] ref = reference(y, t.toFloatArray(), w.toFloatArray(), out);
      double worst = 0;
      double scale = 1;
      for (int i = 0; i < ref.length; i++) {
        worst =
            Math.max(
                worst, Double.isNaN(g[i]) ? Double.POSITIVE_INFINITY : Math.abs(g[i] - ref[i]));
        scale = Math.max(scale, Math.abs(ref[i]));
      }
      assertTrue(
          worst <= 1e-5 * scale,
          out
              + " output channels"
              + (poison ? ", NaN in freed memory" : "")
              + ", repetition "
              + repetition
              + ": input gradient off by "
              + worst
              + " (largest entry "
              + scale
              + ")");
    }
  }

  /** ∂/∂x Σ(y − t)² = Σ_o 2(y − t)[o] ⋆ w[o] (stride 1, padding 1), in double. */
  private static double[] reference(float[] y, float[] t, float[] w, int out) {
    double[] dx = new double[B * C * HW * HW];
    for (int n = 0; n < B; n++) {
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < HW; i++) {
          for (int j = 0; j < HW; j++) {
            int at = ((n * out + o) * HW + i) * HW + j;
            double dy = 2.0 * (y[at] - t[at]);
            for (int c = 0; c < C; c++) {
              for (int ki = 0; ki < 3; ki++) {
                for (int kj = 0; kj < 3; kj++) {
                  int ii = i + ki - 1;
                  int jj = j + kj - 1;
                  if (ii >= 0 && jj >= 0 && ii < HW && jj < HW) {
                    dx[((n * C + c) * HW + ii) * HW + jj] +=
                        dy * w[((o * C + c) * 3 + ki) * 3 + kj];
                  }
                }
              }
            }
          }
        }
      }
    }
    return dx;
  }
}
