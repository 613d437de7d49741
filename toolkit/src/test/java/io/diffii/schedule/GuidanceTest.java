package io.diffii.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GuidanceTest {

  @Test
  void scaleOneGivesTheConditionalAndZeroTheUnconditionalPrediction() {
    try (NDManager manager = NDManager.newBaseManager()) {
      Shape shape = new Shape(1, 4, 8, 8);
      NDArray uncond = GaussianNoise.sample(manager, shape, DataType.FLOAT32, new Random(1));
      NDArray cond = GaussianNoise.sample(manager, shape, DataType.FLOAT32, new Random(2));
      assertTrue(Guidance.guidance(uncond, cond, 1.0).sub(cond).abs().max().getFloat() < 1e-6);
      assertTrue(Guidance.guidance(uncond, cond, 0.0).sub(uncond).abs().max().getFloat() < 1e-6);
    }
  }

  @Test
  void guidanceMatchesClosedForm() {
    try (NDManager manager = NDManager.newBaseManager()) {
      NDArray uncond = manager.create(new double[] {1, 2});
      NDArray cond = manager.create(new double[] {2, 0});
      NDArray guided = Guidance.guidance(uncond, cond, 7.5);
      assertEquals(1 + 7.5 * 1, guided.getDouble(0), 1e-12);
      assertEquals(2 + 7.5 * -2, guided.getDouble(1), 1e-12);
      assertThrows(
          IllegalArgumentException.class,
          () -> Guidance.guidance(uncond, manager.create(new double[] {1}), 2));
    }
  }
}
