package io.diffii.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffii.schedule.DdimConfig.BetaSchedule;
import io.diffii.schedule.DdimConfig.TimestepSpacing;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DdimSchedulerTest {

  private static final Shape LATENT = new Shape(2, 4, 8, 8);
  private static NDManager manager;

  @BeforeAll
  static void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void closeManager() {
    manager.close();
  }

  private static DdimConfig withSpacing(TimestepSpacing spacing) {
    DdimConfig sd = DdimConfig.stableDiffusion();
    return new DdimConfig(
        sd.numTrainTimesteps(),
        sd.betaStart(),
        sd.betaEnd(),
        sd.betaSchedule(),
        sd.clipSample(),
        sd.clipSampleRange(),
        sd.setAlphaToOne(),
        sd.stepsOffset(),
        sd.predictionType(),
        spacing);
  }

  private static NDArray gaussian(long seed, DataType type) {
    return GaussianNoise.sample(manager, LATENT, type, new Random(seed));
  }

  private static double maxAbsDiff(NDArray a, NDArray b) {
    try (NDManager scope = manager.newSubManager()) {
      a.tempAttach(scope);
      b.tempAttach(scope);
      return a.toType(DataType.FLOAT64, false)
          .sub(b.toType(DataType.FLOAT64, false))
          .abs()
          .max()
          .getDouble();
    }
  }

  @Test
  void leadingTimestepsFor25StepsMatchDiffusers() {
    int[] expected = new int[25];
    for (int i = 0; i < 25; i++) {
      expected[i] = 961 - 40 * i;
    }
    assertArrayEquals(expected, new DdimScheduler(DdimConfig.stableDiffusion()).timesteps(25));
  }

  @Test
  void trailingAndLinspaceTimestepsMatchDiffusers() {
    assertArrayEquals(
        new int[] {
          999, 959, 919, 879, 839, 799, 759, 719, 679, 639, 599, 559, 519, 479, 439, 399, 359, 319,
          279, 239, 199, 159, 119, 79, 39
        },
        new DdimScheduler(withSpacing(TimestepSpacing.TRAILING)).timesteps(25));
    assertArrayEquals(
        new int[] {
          999, 966, 932, 899, 866, 832, 799, 766, 732, 699, 666, 632, 599, 566, 532, 499, 466, 432,
          399, 366, 332, 299, 266, 232, 199, 166, 132, 99, 66, 32
        },
        new DdimScheduler(withSpacing(TimestepSpacing.TRAILING)).timesteps(30));
    // 166.5 and 832.5 round half to even, as numpy does.
    assertArrayEquals(
        new int[] {
          999, 957, 916, 874, 832, 791, 749, 708, 666, 624, 583, 541, 500, 458, 416, 375, 333, 291,
          250, 208, 166, 125, 83, 42, 0
        },
        new DdimScheduler(withSpacing(TimestepSpacing.LINSPACE)).timesteps(25));
  }

  @Test
  void img2imgTimestepsAreTheTailForTheStrength() {
    DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
    int[] tail = scheduler.timesteps(25, 0.7);
    assertEquals(17, tail.length);
    assertEquals(641, tail[0]);
    assertEquals(1, tail[16]);
    assertEquals(0, scheduler.timesteps(25, 0.0).length);
    assertArrayEquals(scheduler.timesteps(25), scheduler.timesteps(25, 1.0));
  }

  @Test
  void timestepsOutsideTheTableAreRejected() {
    DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> scheduler.timesteps(1000));
    assertTrue(e.getMessage().contains("1000"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> scheduler.timesteps(0));
  }

  @Test
  void stepBeforeTimestepsFails() {
    DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
    NDArray x = gaussian(1, DataType.FLOAT32);
    assertThrows(IllegalStateException.class, () -> scheduler.step(x, 961, x));
  }

  @Test
  void alphasCumprodMatchStableDiffusion() {
    double[] alphaBar = new DdimScheduler(DdimConfig.stableDiffusion()).alphasCumprod();
    assertEquals(1000, alphaBar.length);
    assertEquals(0.99915, alphaBar[0], 1e-12);
    assertEquals(0.0046601, alphaBar[999], 1e-6);
    for (int t = 1; t < alphaBar.length; t++) {
      assertTrue(alphaBar[t] < alphaBar[t - 1]);
    }
  }

  @Test
  void linearScheduleMatchesClosedForm() {
    NoiseSchedule linear = new NoiseSchedule(BetaSchedule.LINEAR, 0.0001, 0.02, 1000);
    double[] betas = linear.betas();
    assertEquals(0.0001, betas[0], 1e-15);
    assertEquals(0.02, betas[999], 1e-15);
    assertEquals(4.035829765375676e-05, linear.alphaBar(999), 1e-15);
  }

  @Test
  void deterministicStepMatchesEquation12() {
    DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
    scheduler.timesteps(25);
    double[] alphaBar = scheduler.alphasCumprod();
    NDArray x = gaussian(1, DataType.FLOAT64);
    NDArray eps = gaussian(2, DataType.FLOAT64);
    for (int[] levels : new int[][] {{961, 921}, {1, -1}}) {
      int t = levels[0];
      double a = alphaBar[t];
      double b = levels[1] >= 0 ? alphaBar[levels[1]] : alphaBar[0];
      NDArray x0 = x.sub(eps.mul(Math.sqrt(1 - a))).div(Math.sqrt(a));
      NDArray expected = x0.mul(Math.sqrt(b)).add(eps.mul(Math.sqrt(1 - b)));
      assertTrue(maxAbsDiff(expected, scheduler.step(eps, t, x)) < 1e-12, "t = " + t);
      assertTrue(maxAbsDiff(x0, scheduler.predictOriginal(eps, t, x)) < 1e-12);
    }
  }

  @Test
  void setAlphaToOneMakesTheLastStepReturnThePredictedOriginal() {
    DdimConfig sd = DdimConfig.stableDiffusion();
    DdimConfig toOne =
        new DdimConfig(
            1000,
            sd.betaStart(),
            sd.betaEnd(),
            sd.betaSchedule(),
            false,
            1.0,
            true,
            1,
            "epsilon",
            TimestepSpacing.LEADING);
    DdimScheduler scheduler = new DdimScheduler(toOne);
    scheduler.timesteps(25);
    NDArray x = gaussian(1, DataType.FLOAT64);
    NDArray eps = gaussian(2, DataType.FLOAT64);
    assertTrue(maxAbsDiff(scheduler.predictOriginal(eps, 1, x), scheduler.step(eps, 1, x)) < 1e-12);
  }

  @Test
  void etaZeroWithNoiseEqualsTheDeterministicStep() {
    DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
    scheduler.timesteps(25);
    NDArray x = gaussian(1, DataType.FLOAT64);
    NDArray eps = gaussian(2, DataType.FLOAT64);
    NDArray z = gaussian(3, DataType.FLOAT64);
    assertTrue(maxAbsDiff(scheduler.step(eps, 521, x), scheduler.step(eps, 521, x, 0, z)) == 0);
  }

  @Test
  void etaWithZeroNoiseShrinksTheDirectionByTheVariance() {
    DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
    scheduler.timesteps(25);
    double[] alphaBar = scheduler.alphasCumprod();
    NDArray x = gaussian(1, DataType.FLOAT64);
    NDArray eps = gaussian(2, DataType.FLOAT64);
    NDArray zero = manager.zeros(LATENT, DataType.FLOAT64);
    double eta = 1.0;
    double a = alphaBar[521];
    double b = alphaBar[481];
    double variance = (1 - b) / (1 - a) * (1 - a / b);
    NDArray x0 = x.sub(eps.mul(Math.sqrt(1 - a))).div(Math.sqrt(a));
    NDArray expected = x0.mul(Math.sqrt(b)).add(eps.mul(Math.sqrt(1 - b - eta * eta * variance)));
    assertTrue(maxAbsDiff(expected, scheduler.step(eps, 521, x, eta, zero)) < 1e-12);
  }

  @Test
  void etaNoiseEntersScaledBySigma() {
    DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
    scheduler.timesteps(25);
    double[] alphaBar = scheduler.alphasCumprod();
    double eta = 0.5;
    double a = alphaBar[521];
    double b = alphaBar[481];
    double sigma = eta * Math.sqrt((1 - b) / (1 - a) * (1 - a / b));
    NDArray x = gaussian(1, DataType.FLOAT64);
    NDArray eps = gaussian(2, DataType.FLOAT64);
    NDArray z = gaussian(3, DataType.FLOAT64);
    NDArray withoutNoise =
        scheduler.step(eps, 521, x, eta, manager.zeros(LATENT, DataType.FLOAT64));
    NDArray withNoise = scheduler.step(eps, 521, x, eta, z);
    assertTrue(maxAbsDiff(withNoise.sub(withoutNoise), z.mul(sigma)) < 1e-12);
  }

  @Test
  void seededStochasticStepsRepeat() {
    DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
    scheduler.timesteps(25);
    NDArray x = gaussian(1, DataType.FLOAT32);
    NDArray eps = gaussian(2, DataType.FLOAT32);
    NDArray first = scheduler.step(eps, 521, x, 1.0, new Random(7));
    NDArray second = scheduler.step(eps, 521, x, 1.0, new Random(7));
    NDArray other = scheduler.step(eps, 521, x, 1.0, new Random(8));
    assertEquals(0, maxAbsDiff(first, second));
    assertTrue(maxAbsDiff(first, other) > 1e-3);
    assertEquals(DataType.FLOAT32, first.getDataType());
  }

  @Test
  void clipSampleClampsThePredictedOriginal() {
    DdimConfig sd = DdimConfig.stableDiffusion();
    DdimConfig clipped =
        new DdimConfig(
            1000,
            sd.betaStart(),
            sd.betaEnd(),
            sd.betaSchedule(),
            true,
            0.5,
            false,
            1,
            "epsilon",
            TimestepSpacing.LEADING);
    DdimScheduler scheduler = new DdimScheduler(clipped);
    NDArray x = gaussian(1, DataType.FLOAT64).mul(10);
    NDArray x0 = scheduler.predictOriginal(gaussian(2, DataType.FLOAT64), 961, x);
    assertEquals(0.5, x0.abs().max().getDouble(), 1e-12);
  }

  @Test
  void addNoiseMatchesClosedForm() {
    DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
    double alphaBar = scheduler.alphasCumprod()[500];
    NDArray x0 = gaussian(1, DataType.FLOAT64);
    NDArray eps = gaussian(2, DataType.FLOAT64);
    NDArray expected = x0.mul(Math.sqrt(alphaBar)).add(eps.mul(Math.sqrt(1 - alphaBar)));
    assertTrue(maxAbsDiff(expected, scheduler.addNoise(x0, eps, 500)) < 1e-12);
  }

  @Test
  void addNoiseTakesOneTimestepPerBatchElement() {
    NoiseSchedule schedule = NoiseSchedule.of(DdimConfig.stableDiffusion());
    NDArray x0 = gaussian(1, DataType.FLOAT32);
    NDArray eps = gaussian(2, DataType.FLOAT32);
    NDArray both = schedule.addNoise(x0, eps, new int[] {10, 900});
    assertEquals(DataType.FLOAT32, both.getDataType());
    assertTrue(maxAbsDiff(both.get(0), schedule.addNoise(x0.get(0), eps.get(0), 10)) < 1e-6);
    assertTrue(maxAbsDiff(both.get(1), schedule.addNoise(x0.get(1), eps.get(1), 900)) < 1e-6);
    assertThrows(IllegalArgumentException.class, () -> schedule.addNoise(x0, eps, new int[] {10}));
  }

  @Test
  void stepKeepsNativeMemoryInTheCallersScope() {
    DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
    scheduler.timesteps(25);
    try (NDManager run = manager.newSubManager()) {
      NDArray x = GaussianNoise.sample(run, LATENT, DataType.FLOAT32, new Random(1));
      NDArray eps = GaussianNoise.sample(run, LATENT, DataType.FLOAT32, new Random(2));
      int before = run.getManagedArrays().size();
      NDArray next = scheduler.step(eps, 961, x, 1.0, new Random(3));
      assertEquals(before + 1, run.getManagedArrays().size());
      assertEquals(run, next.getManager());
      assertEquals(run, x.getManager());
      scheduler.step(x, 961, x);
      assertEquals(before + 2, run.getManagedArrays().size());
      assertFalse(x.isReleased());
    }
  }
}
