package io.diffii.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * A garbage collection between the forward and the backward pass must not change a gradient. DJL's
 * {@code NDArray.mul(Number)} (and div) makes its scalar over a Java direct buffer and closes it at
 * once, while autograd keeps it for the backward pass: once the collector has freed that buffer,
 * the backward pass read freed memory. This made concept learning's gradients NaN in some steps and
 * runs only, and a run's result depend on when the collector ran.
 */
class GarbageCollectionDuringBackwardTest {

  /** Returns x's gradient of {@code sum(f(x)²)}, with or without a collection before backward. */
  private static float[] gradient(
      BiFunction<ParameterStore, NDArray, NDArray> f, Shape shape, boolean collect) {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(5);
      NDArray x = m.randomNormal(shape);
      x.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = f.apply(new ParameterStore(m, false), x).square().sum();
        if (collect) {
          GarbageCollection.collect();
        }
        gc.backward(loss);
      }
      float[] g = x.getGradient().toFloatArray();
      for (float v : g) {
        assertTrue(Float.isFinite(v), "non-finite gradient");
      }
      return g;
    }
  }

  private static void assertSameGradient(
      BiFunction<ParameterStore, NDArray, NDArray> f, Shape shape) {
    assertArrayEquals(gradient(f, shape, false), gradient(f, shape, true));
  }

  @Test
  void scaledProductsAndQuotientsKeepTheirScalarForTheBackwardPass() {
    assertSameGradient((s, x) -> Tensors.mul(x, 0.37), new Shape(4, 8));
    assertSameGradient((s, x) -> Tensors.div(x, 1.7f), new Shape(4, 8));
  }

  @Test
  void attentionAndLoraGradientsDoNotDependOnTheGarbageCollector() {
    Engine.getInstance().setRandomSeed(1);
    try (NDManager weights = NDManager.newBaseManager()) {
      Attention self = Attention.spatial(16, 2, 4, 1e-6f);
      self.initializeParameters(weights);
      assertSameGradient((s, x) -> self.forward(s, x, null, true), new Shape(2, 16, 4, 4));
      LoraAdapter lora = LoraAdapter.create(16, 8, 4, 4f, weights);
      lora.up().set(weights.randomNormal(lora.up().getShape()).toFloatArray());
      assertSameGradient((s, x) -> lora.apply(x), new Shape(2, 5, 16));
    }
  }
}
