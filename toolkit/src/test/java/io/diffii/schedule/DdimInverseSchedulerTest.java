package io.diffii.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffii.schedule.DdimConfig.TimestepSpacing;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DdimInverseSchedulerTest {

  private static final Shape LATENT = new Shape(1, 4, 8, 8);
  private static NDManager manager;

  @BeforeAll
  static void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void closeManager() {
    manager.close();
  }

  private static DdimConfig sd(boolean setAlphaToOne, TimestepSpacing spacing) {
    DdimConfig sd = DdimConfig.stableDiffusion();
    return new DdimConfig(
        1000,
        sd.betaStart(),
        sd.betaEnd(),
        sd.betaSchedule(),
        false,
        1.0,
        setAlphaToOne,
        1,
        "epsilon",
        spacing);
  }

  /**
   * A dummy noise model linear in its conditioning and in t, ε(x, t) = (t/T)·W·c, that ignores x:
   * along such a model DDIM inversion is exact, so the round trip tests the schedulers alone.
   */
  private static BiFunction<NDArray, Integer, NDArray> conditioningModel(DataType type) {
    NDArray w =
        GaussianNoise.sample(
            manager, new Shape(LATENT.size(), 8), DataType.FLOAT64, new Random(11));
    NDArray c = GaussianNoise.sample(manager, new Shape(8), DataType.FLOAT64, new Random(12));
    NDArray wc = w.matMul(c.reshape(8, 1)).reshape(LATENT).toType(type, false);
    return (x, t) -> wc.mul(t / 1000.0);
  }

  /**
   * Inverts {@code start} with n steps, samples back with n steps, returns max |result − start|.
   */
  private static double roundTrip(
      DdimConfig config, int steps, NDArray start, BiFunction<NDArray, Integer, NDArray> model) {
    DdimInverseScheduler inverse = new DdimInverseScheduler(config);
    DdimScheduler sampler = new DdimScheduler(config);
    try (NDManager run = manager.newSubManager()) {
      NDArray x = start.duplicate();
      x.attach(run);
      for (int t : inverse.timesteps(steps)) {
        try (NDManager step = run.newSubManager()) {
          x.tempAttach(step);
          NDArray next = inverse.step(model.apply(x, t), t, x);
          next.attach(run);
          x = next;
        }
      }
      for (int t : sampler.timesteps(steps)) {
        try (NDManager step = run.newSubManager()) {
          x.tempAttach(step);
          NDArray next = sampler.step(model.apply(x, t), t, x);
          next.attach(run);
          x = next;
        }
      }
      return x.toType(DataType.FLOAT64, false)
          .sub(start.toType(DataType.FLOAT64, false))
          .abs()
          .max()
          .getDouble();
    }
  }

  @Test
  void inverseTimestepsFor25StepsMatchDiffusers() {
    int[] expected = new int[25];
    for (int i = 0; i < 25; i++) {
      expected[i] = 1 + 40 * i;
    }
    assertArrayEquals(
        expected, new DdimInverseScheduler(DdimConfig.stableDiffusion()).timesteps(25));
  }

  @Test
  void inverseTimestepsAreTheSamplersReversed() {
    for (TimestepSpacing spacing :
        new TimestepSpacing[] {TimestepSpacing.LEADING, TimestepSpacing.TRAILING}) {
      for (int steps : new int[] {1, 7, 25, 50, 200}) {
        int[] forward = new DdimScheduler(sd(false, spacing)).timesteps(steps);
        int[] inverse = new DdimInverseScheduler(sd(false, spacing)).timesteps(steps);
        for (int i = 0; i < steps; i++) {
          assertTrue(forward[i] == inverse[steps - 1 - i], spacing + " " + steps + " at " + i);
        }
      }
    }
  }

  @Test
  void linspaceSpacingIsRejected() {
    DdimInverseScheduler inverse = new DdimInverseScheduler(sd(false, TimestepSpacing.LINSPACE));
    assertThrows(IllegalArgumentException.class, () -> inverse.timesteps(25));
  }

  @Test
  void inversionThenSamplingReturnsTheStartInFloat64() {
    NDArray start = GaussianNoise.sample(manager, LATENT, DataType.FLOAT64, new Random(1));
    var model = conditioningModel(DataType.FLOAT64);
    for (boolean toOne : new boolean[] {false, true}) {
      double error = roundTrip(sd(toOne, TimestepSpacing.LEADING), 50, start, model);
      assertTrue(error < 1e-10, "set_alpha_to_one " + toOne + ": " + error);
    }
    assertTrue(roundTrip(sd(false, TimestepSpacing.TRAILING), 50, start, model) < 1e-10);
  }

  @Test
  void inversionThenSamplingReturnsTheStartInFloat32() {
    NDArray start = GaussianNoise.sample(manager, LATENT, DataType.FLOAT32, new Random(1));
    double error =
        roundTrip(
            sd(false, TimestepSpacing.LEADING), 50, start, conditioningModel(DataType.FLOAT32));
    assertTrue(error < 1e-4, "float32 round trip error " + error);
  }

  @Test
  void inversionErrorOfAStateDependentModelIsFirstOrderInItsSlope() {
    // ε(x, t) = k·x changes along each step, so Eq. 4's approximation ε(x_{t−1}) ≈ ε(x_t) costs an
    // error proportional to k: the schedulers are exact, the inversion is not.
    NDArray start = GaussianNoise.sample(manager, LATENT, DataType.FLOAT64, new Random(1));
    DdimConfig config = sd(false, TimestepSpacing.LEADING);
    double coarse = roundTrip(config, 50, start, (x, t) -> x.mul(1e-2));
    double fine = roundTrip(config, 50, start, (x, t) -> x.mul(1e-3));
    double ratio = coarse / fine;
    assertTrue(ratio > 8 && ratio < 12, "error ratio " + ratio);
    assertTrue(fine < 2e-3, "error at slope 1e-3: " + fine);
  }
}
