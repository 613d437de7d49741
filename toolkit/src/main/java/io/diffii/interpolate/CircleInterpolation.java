package io.diffii.interpolate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.Random;

/**
 * Diff-II's random circle interpolation between two inversions a = I_a and b = I_b (paper Sec.
 * 3.2.2), with its two arcs and plain linear interpolation.
 *
 * <p>θ is the angle between a and b over the whole flattened tensor. The circle of Eq. 5, \(Z =
 * \frac{\sin((1+\lambda)\theta)}{\sin\theta} a - \frac{\sin(\lambda\theta)}{\sin\theta} b\), runs
 * from a (λ = 0) the long way round, through b at λ = 2π/θ − 1 (the spherical extrapolation arc of
 * Eq. 7), and back along the short arc (the spherical interpolation of Eq. 6) to a at λ = 2π/θ. It
 * equals Eq. 6 at −λ. When ‖a‖ = ‖b‖ every point of the circle has that norm.
 *
 * <p>Arrays may have any shape (a and b the same); results have a's type and manager. Scalars are
 * computed in double, and so is the combination, which is cast back to a's type at the end.
 *
 * <p><b>Degenerate pairs.</b> When sin θ &lt; {@value #DEGENERATE_SIN} the plane of a and b is
 * undefined and Eq. 5–7 divide by ~0. Results stay finite:
 *
 * <ul>
 *   <li>θ ≈ 0 (parallel, e.g. identical latents): the θ → 0 limits, {@code circle} and {@code
 *       extrapolate} (1+λ)·a − λ·b and {@code spherical} (1−λ)·a + λ·b; for identical latents every
 *       one is a.
 *   <li>θ ≈ π (antipodal): no limit exists, so every method returns a copy of a.
 *   <li>{@link #random} returns a copy of a with λ = 0 in both cases.
 * </ul>
 *
 * Zero or non-finite inputs are errors.
 */
public final class CircleInterpolation {

  /** Below this value of sin θ a pair counts as degenerate (see the class documentation). */
  public static final double DEGENERATE_SIN = 1e-6;

  private CircleInterpolation() {}

  /**
   * A point of the circle drawn by {@link #random}.
   *
   * @param z the interpolation result Z, shaped like a
   * @param lambda the strength λ it was drawn with, in [0, 2π/θ)
   * @param theta the angle θ between a and b, in [0, π]
   */
  public record Sample(NDArray z, double lambda, double theta) {}

  /**
   * Returns θ = arccos(⟨a, b⟩ / (‖a‖‖b‖)) ∈ [0, π] over the flattened tensors, in double. It is
   * computed as 2·atan2(‖â − b̂‖, ‖â + b̂‖) with â = a/‖a‖, b̂ = b/‖b‖, which equals the arccos but
   * stays accurate near 0 and π, where the arccos of a rounded cosine does not.
   *
   * @throws IllegalArgumentException if the shapes differ or either array has zero or non-finite
   *     norm
   */
  public static double angle(NDArray a, NDArray b) {
    checkShapes(a, b);
    try (NDScope scope = new NDScope()) {
      NDArray a64 = a.toType(DataType.FLOAT64, false);
      NDArray b64 = b.toType(DataType.FLOAT64, false);
      NDArray unitA = a64.div(norm(a64, "a"));
      NDArray unitB = b64.div(norm(b64, "b"));
      double minus = Math.sqrt(unitA.sub(unitB).square().sum().getDouble());
      double plus = Math.sqrt(unitA.add(unitB).square().sum().getDouble());
      return 2 * Math.atan2(minus, plus);
    }
  }

  /**
   * Returns Eq. 5, Z = sin((1+λ)θ)/sin θ · a − sin(λθ)/sin θ · b, for any λ (the circle has period
   * 2π/θ): λ = 0 gives a, λ = 2π/θ − 1 gives b, λ = 2π/θ gives a again.
   */
  public static NDArray circle(NDArray a, NDArray b, double lambda) {
    double theta = angle(a, b);
    double sin = Math.sin(theta);
    if (sin < DEGENERATE_SIN) {
      return theta < Math.PI / 2 ? combine(a, b, 1 + lambda, -lambda) : combine(a, b, 1, 0);
    }
    return combine(a, b, Math.sin((1 + lambda) * theta) / sin, -Math.sin(lambda * theta) / sin);
  }

  /**
   * Returns Eq. 6, spherical interpolation along the short arc, Z = sin((1−λ)θ)/sin θ · a +
   * sin(λθ)/sin θ · b for λ ∈ [0, 1]: λ = 0 gives a, λ = 1 gives b.
   */
  public static NDArray spherical(NDArray a, NDArray b, double lambda) {
    if (!(lambda >= 0 && lambda <= 1)) {
      throw new IllegalArgumentException(
          "spherical interpolation needs λ in [0, 1], got " + lambda);
    }
    double theta = angle(a, b);
    double sin = Math.sin(theta);
    if (sin < DEGENERATE_SIN) {
      return theta < Math.PI / 2 ? combine(a, b, 1 - lambda, lambda) : combine(a, b, 1, 0);
    }
    return combine(a, b, Math.sin((1 - lambda) * theta) / sin, Math.sin(lambda * theta) / sin);
  }

  /**
   * Returns Eq. 7, spherical extrapolation along the long arc, the formula of Eq. 5 restricted to λ
   * ∈ [0, 2π/θ − 1]: from a (λ = 0) away from b, round to b.
   */
  public static NDArray extrapolate(NDArray a, NDArray b, double lambda) {
    double theta = angle(a, b);
    double end = 2 * Math.PI / theta - 1;
    if (!(lambda >= 0 && (Math.sin(theta) < DEGENERATE_SIN || lambda <= end * (1 + 1e-12)))) {
      throw new IllegalArgumentException(
          "spherical extrapolation needs λ in [0, 2π/θ − 1] = [0, " + end + "], got " + lambda);
    }
    return circle(a, b, lambda);
  }

  /** Returns (1 − λ)·a + λ·b, for any λ (the ablation's linear interpolation uses λ ∈ [0, 1]). */
  public static NDArray linear(NDArray a, NDArray b, double lambda) {
    checkShapes(a, b);
    return combine(a, b, 1 - lambda, lambda);
  }

  /**
   * Draws λ ~ U[0, 2π/θ) from {@code random} (exactly one {@link Random#nextDouble()}) and returns
   * Eq. 5's Z with λ and θ: a uniformly random point of the circle through a and b. Degenerate
   * pairs give a copy of a and λ = 0.
   */
  public static Sample random(NDArray a, NDArray b, Random random) {
    return at(a, b, random.nextDouble());
  }

  /**
   * Returns the point at fraction {@code u} ∈ [0, 1) of the circle, λ = u·2π/θ: what {@link
   * #random} returns for a drawn u. Degenerate pairs give a copy of a and λ = 0.
   */
  public static Sample at(NDArray a, NDArray b, double u) {
    double theta = angle(a, b);
    if (Math.sin(theta) < DEGENERATE_SIN) {
      return new Sample(combine(a, b, 1, 0), 0, theta);
    }
    double lambda = u * 2 * Math.PI / theta;
    return new Sample(circle(a, b, lambda), lambda, theta);
  }

  /** Returns ca·a + cb·b computed in double, in a's type and manager. */
  private static NDArray combine(NDArray a, NDArray b, double ca, double cb) {
    checkShapes(a, b);
    try (NDScope scope = new NDScope()) {
      NDArray z =
          a.toType(DataType.FLOAT64, false)
              .mul(ca)
              .add(b.toType(DataType.FLOAT64, false).mul(cb))
              .toType(a.getDataType(), false);
      NDScope.unregister(z);
      return z;
    }
  }

  private static double norm(NDArray x, String name) {
    double norm = Math.sqrt(x.square().sum().getDouble());
    if (!(norm > 0) || Double.isInfinite(norm)) {
      throw new IllegalArgumentException(
          "latent "
              + name
              + " of shape "
              + x.getShape()
              + " has norm "
              + norm
              + "; need a finite, non-zero norm");
    }
    return norm;
  }

  private static void checkShapes(NDArray a, NDArray b) {
    if (!a.getShape().equals(b.getShape())) {
      throw new IllegalArgumentException(
          "latents a " + a.getShape() + " and b " + b.getShape() + " differ in shape");
    }
  }
}
