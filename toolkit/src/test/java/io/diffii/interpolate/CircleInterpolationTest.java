package io.diffii.interpolate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffii.interpolate.CircleInterpolation.Sample;
import io.diffii.schedule.GaussianNoise;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CircleInterpolationTest {

  private static final Shape LATENT = new Shape(4, 8, 8);
  private static NDManager manager;

  @BeforeAll
  static void openManager() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void closeManager() {
    manager.close();
  }

  private static NDArray gaussian(long seed, DataType type) {
    return GaussianNoise.sample(manager, LATENT, type, new Random(seed));
  }

  private static double maxAbsDiff(NDArray x, NDArray y) {
    return x.toType(DataType.FLOAT64, false)
        .sub(y.toType(DataType.FLOAT64, false))
        .abs()
        .max()
        .getDouble();
  }

  private static double norm(NDArray x) {
    return Math.sqrt(x.toType(DataType.FLOAT64, false).square().sum().getDouble());
  }

  private static boolean finite(NDArray x) {
    return Double.isFinite(x.toType(DataType.FLOAT64, false).sum().getDouble());
  }

  @Test
  void angleMatchesTheArccosOfTheCosine() {
    NDArray a = manager.create(new double[] {1, 0, 0, 0});
    NDArray b = manager.create(new double[] {1, 1, 0, 0});
    assertEquals(Math.PI / 4, CircleInterpolation.angle(a, b), 1e-15);
    assertEquals(Math.PI, CircleInterpolation.angle(a, a.neg()), 1e-15);
    assertEquals(0, CircleInterpolation.angle(a, a.mul(3)), 1e-15);
    NDArray c = gaussian(1, DataType.FLOAT64);
    NDArray d = gaussian(2, DataType.FLOAT64);
    double cosine = c.mul(d).sum().getDouble() / (norm(c) * norm(d));
    assertEquals(Math.acos(cosine), CircleInterpolation.angle(c, d), 1e-12);
  }

  @Test
  void lambdaZeroGivesA() {
    NDArray a = gaussian(1, DataType.FLOAT32);
    NDArray b = gaussian(2, DataType.FLOAT32);
    assertTrue(maxAbsDiff(a, CircleInterpolation.circle(a, b, 0)) < 1e-6);
    assertTrue(maxAbsDiff(a, CircleInterpolation.spherical(a, b, 0)) < 1e-6);
    assertTrue(maxAbsDiff(a, CircleInterpolation.extrapolate(a, b, 0)) < 1e-6);
    assertTrue(maxAbsDiff(a, CircleInterpolation.linear(a, b, 0)) < 1e-6);
  }

  @Test
  void circleReachesBAtTwoPiOverThetaMinusOneAndReturnsToA() {
    NDArray a = gaussian(1, DataType.FLOAT32);
    NDArray b = gaussian(2, DataType.FLOAT32).mul(1.7);
    double theta = CircleInterpolation.angle(a, b);
    double toB = 2 * Math.PI / theta - 1;
    assertTrue(maxAbsDiff(b, CircleInterpolation.circle(a, b, toB)) < 1e-5);
    assertTrue(maxAbsDiff(b, CircleInterpolation.extrapolate(a, b, toB)) < 1e-5);
    assertTrue(maxAbsDiff(a, CircleInterpolation.circle(a, b, toB + 1)) < 1e-5);
    assertEquals(DataType.FLOAT32, CircleInterpolation.circle(a, b, 0.5).getDataType());
  }

  @Test
  void sphericalEndsAtBAndIsTheCircleRunBackwards() {
    NDArray a = gaussian(1, DataType.FLOAT64);
    NDArray b = gaussian(2, DataType.FLOAT64);
    assertTrue(maxAbsDiff(b, CircleInterpolation.spherical(a, b, 1)) < 1e-12);
    assertTrue(maxAbsDiff(b, CircleInterpolation.linear(a, b, 1)) < 1e-12);
    double theta = CircleInterpolation.angle(a, b);
    double period = 2 * Math.PI / theta;
    assertTrue(
        maxAbsDiff(
                CircleInterpolation.spherical(a, b, 0.3),
                CircleInterpolation.circle(a, b, period - 0.3))
            < 1e-10);
  }

  @Test
  void circleKeepsTheNormOfEqualNormLatents() {
    NDArray a = gaussian(1, DataType.FLOAT64);
    NDArray raw = gaussian(2, DataType.FLOAT64);
    NDArray b = raw.mul(norm(a) / norm(raw));
    double theta = CircleInterpolation.angle(a, b);
    Random random = new Random(5);
    for (int i = 0; i < 20; i++) {
      double lambda = random.nextDouble() * 2 * Math.PI / theta;
      assertEquals(norm(a), norm(CircleInterpolation.circle(a, b, lambda)), 1e-9 * norm(a));
    }
    assertEquals(norm(a), norm(CircleInterpolation.spherical(a, b, 0.4)), 1e-9 * norm(a));
  }

  @Test
  void randomIsDeterministicForASeedAndLambdaIsInRange() {
    NDArray a = gaussian(1, DataType.FLOAT32);
    NDArray b = gaussian(2, DataType.FLOAT32);
    Random first = new Random(42);
    Random second = new Random(42);
    for (int i = 0; i < 10; i++) {
      Sample x = CircleInterpolation.random(a, b, first);
      Sample y = CircleInterpolation.random(a, b, second);
      assertEquals(x.lambda(), y.lambda());
      assertEquals(0, maxAbsDiff(x.z(), y.z()));
      assertEquals(CircleInterpolation.angle(a, b), x.theta());
      assertTrue(x.lambda() >= 0 && x.lambda() < 2 * Math.PI / x.theta(), "λ " + x.lambda());
      assertTrue(maxAbsDiff(x.z(), CircleInterpolation.circle(a, b, x.lambda())) < 1e-6);
    }
    assertNotEquals(
        CircleInterpolation.random(a, b, new Random(1)).lambda(),
        CircleInterpolation.random(a, b, new Random(2)).lambda());
  }

  @Test
  void identicalLatentsGiveA() {
    NDArray a = gaussian(1, DataType.FLOAT32);
    NDArray same = a.duplicate();
    for (NDArray z :
        new NDArray[] {
          CircleInterpolation.circle(a, same, 3.0),
          CircleInterpolation.circle(a, a, 3.0),
          CircleInterpolation.spherical(a, same, 0.5),
          CircleInterpolation.extrapolate(a, same, 10.0),
          CircleInterpolation.random(a, same, new Random(1)).z()
        }) {
      assertTrue(finite(z));
      assertTrue(maxAbsDiff(a, z) < 1e-6);
    }
    assertEquals(0, CircleInterpolation.random(a, same, new Random(1)).lambda());
    assertFalse(a.isReleased());
  }

  @Test
  void nearlyParallelLatentsFollowTheLinearLimit() {
    NDArray a = gaussian(1, DataType.FLOAT64);
    NDArray b = a.add(gaussian(2, DataType.FLOAT64).mul(1e-9));
    NDArray z = CircleInterpolation.circle(a, b, 2.0);
    assertTrue(maxAbsDiff(a.mul(3).sub(b.mul(2)), z) < 1e-12);
  }

  @Test
  void antipodalLatentsGiveAFiniteDocumentedResult() {
    NDArray a = gaussian(1, DataType.FLOAT32);
    NDArray b = a.neg().mul(2);
    assertEquals(Math.PI, CircleInterpolation.angle(a, b), 1e-6);
    for (NDArray z :
        new NDArray[] {
          CircleInterpolation.circle(a, b, 0.7),
          CircleInterpolation.spherical(a, b, 1.0),
          CircleInterpolation.extrapolate(a, b, 0.5),
          CircleInterpolation.random(a, b, new Random(3)).z()
        }) {
      assertTrue(finite(z));
      assertTrue(maxAbsDiff(a, z) < 1e-6);
    }
  }

  @Test
  void badInputsAreRejected() {
    NDArray a = gaussian(1, DataType.FLOAT32);
    NDArray zero = manager.zeros(LATENT);
    NDArray other = manager.ones(new Shape(3));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CircleInterpolation.angle(a, zero));
    assertTrue(e.getMessage().contains("latent b"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CircleInterpolation.circle(a, other, 1));
    assertThrows(IllegalArgumentException.class, () -> CircleInterpolation.spherical(a, a, 1.5));
    NDArray b = gaussian(2, DataType.FLOAT32);
    double end = 2 * Math.PI / CircleInterpolation.angle(a, b) - 1;
    assertThrows(
        IllegalArgumentException.class, () -> CircleInterpolation.extrapolate(a, b, end + 0.1));
    NDArray nan = a.duplicate();
    nan.set(new NDIndex("0, 0, 0"), Float.NaN);
    assertThrows(IllegalArgumentException.class, () -> CircleInterpolation.angle(nan, b));
  }
}
