package io.diffii.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttentionTest {

  @Test
  void scaledDotProductMatchesTheClosedFormWithScaleOneOverRootD() {
    int n = 3;
    int mKeys = 4;
    int d = 4;
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(3);
      NDArray q = m.randomNormal(new Shape(1, n, d));
      NDArray k = m.randomNormal(new Shape(1, mKeys, d));
      NDArray v = m.randomNormal(new Shape(1, mKeys, d));
      float[] qs = q.toFloatArray();
      float[] ks = k.toFloatArray();
      float[] vs = v.toFloatArray();
      float[] expected = new float[n * d];
      for (int i = 0; i < n; i++) {
        double[] w = new double[mKeys];
        double sum = 0;
        for (int j = 0; j < mKeys; j++) {
          double dot = 0;
          for (int c = 0; c < d; c++) {
            dot += qs[i * d + c] * ks[j * d + c];
          }
          w[j] = Math.exp(dot / Math.sqrt(d));
          sum += w[j];
        }
        for (int c = 0; c < d; c++) {
          double acc = 0;
          for (int j = 0; j < mKeys; j++) {
            acc += w[j] / sum * vs[j * d + c];
          }
          expected[i * d + c] = (float) acc;
        }
      }
      assertArrayEquals(expected, Attention.scaledDotProduct(q, k, v).toFloatArray(), 1e-5f);
    }
  }

  @Test
  void queryChunksGiveTheWholeAttentionAndItsGradients() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(5);
      Shape qShape = new Shape(2, 3, 10, 4);
      // 2·3 rows of 7 keys per query: 126 scores hold 3 queries, so chunks of 3, 3, 3 and 1.
      assertEquals(3, Attention.queryChunk(qShape, 7, 126));
      assertEquals(1, Attention.queryChunk(qShape, 7, 5), "never below one query");
      assertEquals(10, Attention.queryChunk(qShape, 7, Long.MAX_VALUE));
      NDArray q = m.randomNormal(qShape);
      NDArray k = m.randomNormal(new Shape(2, 3, 7, 4));
      NDArray v = m.randomNormal(new Shape(2, 3, 7, 4));
      NDArray probe = m.randomNormal(qShape);
      float[][] whole = valueAndGradients(q, k, v, probe, Long.MAX_VALUE);
      float[][] chunked = valueAndGradients(q, k, v, probe, 126);
      for (int i = 0; i < whole.length; i++) {
        assertArrayEquals(whole[i], chunked[i], 1e-6f, "output, dq, dk, dv: " + i);
      }
    }
  }

  /** Returns the attention's output and the gradients of {@code sum(out · probe)} by q, k, v. */
  private static float[][] valueAndGradients(
      NDArray q, NDArray k, NDArray v, NDArray probe, long maxScores) {
    NDArray[] inputs = {q.duplicate(), k.duplicate(), v.duplicate()};
    for (NDArray x : inputs) {
      x.setRequiresGradient(true);
    }
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray out = Attention.scaledDotProduct(inputs[0], inputs[1], inputs[2], maxScores);
      gc.backward(out.mul(probe).sum());
      return new float[][] {
        out.toFloatArray(),
        inputs[0].getGradient().toFloatArray(),
        inputs[1].getGradient().toFloatArray(),
        inputs[2].getGradient().toFloatArray()
      };
    }
  }

  @Test
  void tokenAttentionHasUnbiasedQkvAndProjectsTheContextWidth() {
    Map<String, ai.djl.nn.Parameter> sd = Attention.tokens(64, 32, 8, 8).stateDict();
    assertEquals(
        java.util.List.of(
            "to_q.weight", "to_k.weight", "to_v.weight", "to_out.0.weight", "to_out.0.bias"),
        java.util.List.copyOf(sd.keySet()));
    assertEquals(new Shape(64, 32), sd.get("to_k.weight").getShape());
    assertEquals(new Shape(64, 64), sd.get("to_out.0.weight").getShape());
  }

  @Test
  void spatialAttentionHasGroupNormAndBiasedQkvAndKeepsTheFeatureMapShape() {
    Attention attention = Attention.spatial(16, 1, 4, 1e-6f);
    Map<String, ai.djl.nn.Parameter> sd = attention.stateDict();
    assertEquals(new Shape(16), sd.get("group_norm.weight").getShape());
    assertEquals(new Shape(16), sd.get("to_q.bias").getShape());
    assertFalse(sd.containsKey("to_out.1.weight"));
    try (NDManager m = NDManager.newBaseManager()) {
      attention.initializeParameters(m);
      NDArray x = m.randomNormal(new Shape(2, 16, 3, 5));
      assertEquals(x.getShape(), attention.apply(x, false).getShape());
    }
  }
}
