package io.diffii.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OptimizerTest {

  private static final float[] START = {1f, -2f, 3f};
  private static final float[] GRAD = {2f, -1f, 0.5f};

  /** Sets w's gradient to {@code g} by a backward pass of Σ g·w. */
  private static void gradient(NDArray w, float[] g) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(w.mul(w.getManager().create(g)).sum());
    }
  }

  private static Optimizer make(String kind, NDArray w) {
    return kind.equals("sgd")
        ? new Sgd(Map.of("w", w), 0.9, 0.1)
        : new AdamW(Map.of("w", w), AdamW.Config.withWeightDecay(0.1));
  }

  @Test
  void sgdWithMomentumTakesTwoStepsInClosedForm() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(START);
      try (Optimizer opt = new Sgd(Map.of("w", w), 0.9, 0.1)) {
        double lr = 0.01;
        float[] p1 = new float[3];
        float[] p2 = new float[3];
        for (int i = 0; i < 3; i++) {
          // d = g + wd·p; b = μ·b + d; p = p − lr·b
          double b1 = GRAD[i] + 0.1 * START[i];
          p1[i] = (float) (START[i] - lr * b1);
          double b2 = 0.9 * b1 + GRAD[i] + 0.1 * p1[i];
          p2[i] = (float) (p1[i] - lr * b2);
        }
        gradient(w, GRAD);
        opt.step(lr);
        assertArrayEquals(p1, w.toFloatArray(), 1e-6f);
        gradient(w, GRAD);
        opt.step(lr);
        assertArrayEquals(p2, w.toFloatArray(), 1e-6f);
      }
    }
  }

  @Test
  void adamWTakesTwoStepsInClosedForm() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(START);
      try (Optimizer opt = new AdamW(Map.of("w", w), AdamW.Config.withWeightDecay(0.1))) {
        double lr = 0.01;
        float[] expected = START.clone();
        for (int step = 0; step < 2; step++) {
          // With a constant gradient the bias-corrected m̂/√v̂ is sign(g) at every step (up to ε);
          // decoupled decay shrinks p by lr·wd·p first.
          for (int i = 0; i < 3; i++) {
            expected[i] = (float) (expected[i] * (1 - lr * 0.1) - lr * Math.signum(GRAD[i]));
          }
          gradient(w, GRAD);
          opt.step(lr);
          assertArrayEquals(expected, w.toFloatArray(), 1e-5f, "after step " + (step + 1));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adamw"})
  void stepZeroesEvenNonFiniteGradientsAndClipReportsTheNorm(String kind) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(START);
      try (Optimizer opt = make(kind, w)) {
        gradient(w, new float[] {3f, 4f, 0f});
        assertEquals(5.0, opt.clipGradNorm(1.0), 1e-5);
        assertArrayEquals(new float[] {0.6f, 0.8f, 0f}, w.getGradient().toFloatArray(), 1e-5f);
        opt.step(0.01);
        assertArrayEquals(new float[3], w.getGradient().toFloatArray());
        gradient(w, new float[] {Float.NaN, Float.POSITIVE_INFINITY, 1f});
        assertTrue(!Double.isFinite(opt.clipGradNorm(1.0)));
        opt.zeroGrad();
        assertArrayEquals(
            new float[3],
            w.getGradient().toFloatArray(),
            "zeroGrad assigns, so NaN does not survive");
        gradient(w, new float[] {Float.NaN, 1f, 1f});
        opt.step(0.01);
        assertArrayEquals(
            new float[3], w.getGradient().toFloatArray(), "step zeroes by assignment too");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adamw"})
  void aRestoredStateContinuesExactlyAsTheOriginal(String kind) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(START);
      NDArray b = m.create(START);
      Function<NDArray, Optimizer> fresh = w -> make(kind, w);
      try (Optimizer first = fresh.apply(a);
          Optimizer second = fresh.apply(b)) {
        gradient(a, GRAD);
        first.step(0.01);
        gradient(a, GRAD);
        first.step(0.01);
        // The second optimiser starts from the first's weights and state, as after a resume.
        b.set(a.toFloatArray());
        second.loadState(first.state());
        gradient(a, new float[] {-1f, 0.25f, 2f});
        first.step(0.02);
        gradient(b, new float[] {-1f, 0.25f, 2f});
        second.step(0.02);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        assertEquals(first.parameters().keySet(), second.parameters().keySet());
      }
    }
  }
}
