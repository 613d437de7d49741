package io.diffii.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {

  @Test
  void firstStepMovesEachWeightByLrTimesSignOfGradientPlusDecay() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {1f, -2f, 3f});
      try (AdamW opt = new AdamW(Map.of("w", w), AdamW.Config.withWeightDecay(0.1))) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(w.mul(m.create(new float[] {2f, -1f, 0.5f})).sum());
        }
        opt.step(0.01);
        // Bias-corrected first step: m̂/√v̂ = sign(g); decoupled decay shrinks p by lr·wd·p first.
        float[] expected = {1f * 0.999f - 0.01f, -2f * 0.999f + 0.01f, 3f * 0.999f - 0.01f};
        float[] got = w.toFloatArray();
        for (int i = 0; i < 3; i++) {
          assertEquals(expected[i], got[i], 1e-5);
        }
        assertEquals(0f, w.getGradient().abs().sum().getFloat());
      }
    }
  }

  @Test
  void minimisesAQuadraticAndClipsTheGradientNorm() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {5f, -3f});
      try (AdamW opt = new AdamW(Map.of("w", w), AdamW.Config.withWeightDecay(0))) {
        double firstNorm = 0;
        for (int i = 0; i < 300; i++) {
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(w.square().sum());
          }
          double norm = opt.clipGradNorm(1.0);
          if (i == 0) {
            firstNorm = norm;
            assertEquals(1.0, Math.sqrt(w.getGradient().square().sum().getFloat()), 1e-4);
          }
          opt.step(LearningRate.warmupCosine(0.1, 10, 300, i));
        }
        assertEquals(Math.sqrt(136), firstNorm, 1e-4);
        assertTrue(w.abs().max().getFloat() < 0.05, w.toString());
      }
    }
  }

  @Test
  void warmupCosineRisesThenFallsToZero() {
    assertEquals(0.1, LearningRate.warmupCosine(1, 10, 100, 0), 1e-12);
    assertEquals(1.0, LearningRate.warmupCosine(1, 10, 100, 10), 1e-12);
    assertEquals(0.5, LearningRate.warmupCosine(1, 10, 100, 55), 1e-12);
    assertEquals(0.0, LearningRate.warmupCosine(1, 10, 100, 100), 1e-12);
  }

  @Test
  void stepsLeaveNoArraysBehindInTheParametersManager() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.randomNormal(new ai.djl.ndarray.types.Shape(16, 16));
      try (AdamW opt = new AdamW(Map.of("w", w), AdamW.Config.withWeightDecay(0.01));
          Ema ema = new Ema(Map.of("w", w), 0.9)) {
        int before = -1;
        for (int i = 0; i < 20; i++) {
          try (NDManager step = m.newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              // Inputs live in the step's scope, so every array derived from them does too.
              NDArray x = step.ones(w.getShape());
              gc.backward(x.mul(w).mul(w).sum());
            }
            opt.clipGradNorm(0.1);
            opt.step(0.01);
            ema.update();
          }
          int now = ((ai.djl.ndarray.BaseNDManager) m).getManagedArrays().size();
          if (i == 1) {
            before = now;
          }
          if (i > 1) {
            assertEquals(before, now, "arrays left in the parameters' manager after step " + i);
          }
        }
      }
    }
  }

  @Test
  void zeroGradClearsNonFiniteGradients() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {1f, 2f});
      try (AdamW opt = new AdamW(Map.of("w", w), AdamW.Config.withWeightDecay(0))) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          gc.backward(w.mul(m.create(new float[] {Float.POSITIVE_INFINITY, Float.NaN})).sum());
        }
        assertTrue(Double.isNaN(opt.clipGradNorm(1.0)) || Double.isInfinite(opt.clipGradNorm(1.0)));
        opt.zeroGrad();
        assertEquals(0f, w.getGradient().abs().sum().getFloat());
      }
    }
  }
}
