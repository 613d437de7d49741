package io.diffii.schedule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.diffii.schedule.DdimConfig.BetaSchedule;
import java.util.Arrays;

/**
 * The forward (noising) process of a diffusion model: β_t, ᾱ_t = ∏_{s≤t}(1 − β_s), and the noised
 * sample of the paper's Eq. 1, \(x_t = \sqrt{\bar\alpha_t}\,x_0 +
 * \sqrt{1-\bar\alpha_t}\,\epsilon\).
 *
 * <p>Tables are computed in double; diffusers computes them in float32, so values agree to about
 * 1e-7 relative. Timesteps index the tables: t ∈ [0, T).
 */
public final class NoiseSchedule {

  private final double[] betas;
  private final double[] alphasCumprod;

  /**
   * Builds the schedule: linear, β_t = linspace(β₀, β₁, T)_t, or scaled-linear, β_t = linspace(√β₀,
   * √β₁, T)_t².
   */
  public NoiseSchedule(
      BetaSchedule schedule, double betaStart, double betaEnd, int numTrainTimesteps) {
    if (numTrainTimesteps < 2 || !(betaStart > 0 && betaStart <= betaEnd && betaEnd < 1)) {
      throw new IllegalArgumentException(
          "need T >= 2 and 0 < beta_start <= beta_end < 1, got T "
              + numTrainTimesteps
              + ", betas "
              + betaStart
              + ".."
              + betaEnd);
    }
    betas = new double[numTrainTimesteps];
    alphasCumprod = new double[numTrainTimesteps];
    double product = 1;
    for (int t = 0; t < numTrainTimesteps; t++) {
      double fraction = t / (double) (numTrainTimesteps - 1);
      betas[t] =
          switch (schedule) {
            case LINEAR -> betaStart + fraction * (betaEnd - betaStart);
            case SCALED_LINEAR -> {
              double root =
                  Math.sqrt(betaStart) + fraction * (Math.sqrt(betaEnd) - Math.sqrt(betaStart));
              yield root * root;
            }
          };
      product *= 1 - betas[t];
      alphasCumprod[t] = product;
    }
  }

  /** Returns the schedule a scheduler config describes. */
  public static NoiseSchedule of(DdimConfig config) {
    return new NoiseSchedule(
        config.betaSchedule(), config.betaStart(), config.betaEnd(), config.numTrainTimesteps());
  }

  /** Returns T, the number of training timesteps. */
  public int numTrainTimesteps() {
    return betas.length;
  }

  /** Returns a copy of β_t for t ∈ [0, T). */
  public double[] betas() {
    return betas.clone();
  }

  /** Returns a copy of ᾱ_t for t ∈ [0, T). */
  public double[] alphasCumprod() {
    return alphasCumprod.clone();
  }

  /** Returns ᾱ_t. */
  public double alphaBar(int t) {
    checkTimestep(t);
    return alphasCumprod[t];
  }

  /**
   * Returns the noised sample of Eq. 1, \(\sqrt{\bar\alpha_t}\,x_0 +
   * \sqrt{1-\bar\alpha_t}\,\epsilon\), for one timestep shared by the whole batch; in the manager
   * and type of {@code original}.
   */
  public NDArray addNoise(NDArray original, NDArray noise, int t) {
    checkShapes(original, noise);
    double alphaBar = alphaBar(t);
    try (NDScope scope = new NDScope()) {
      NDArray noised = original.mul(Math.sqrt(alphaBar)).add(noise.mul(Math.sqrt(1 - alphaBar)));
      NDScope.unregister(noised);
      return noised;
    }
  }

  /**
   * Returns the noised samples of Eq. 1 with one timestep per batch element ({@code timesteps[i]}
   * for {@code original[i]}), as used to train the noise model.
   */
  public NDArray addNoise(NDArray original, NDArray noise, int[] timesteps) {
    checkShapes(original, noise);
    Shape shape = original.getShape();
    if (shape.dimension() == 0 || shape.get(0) != timesteps.length) {
      throw new IllegalArgumentException(
          "need one timestep per batch element: original "
              + shape
              + ", "
              + timesteps.length
              + " timesteps");
    }
    double[] signal = new double[timesteps.length];
    double[] noiseScale = new double[timesteps.length];
    for (int i = 0; i < timesteps.length; i++) {
      double alphaBar = alphaBar(timesteps[i]);
      signal[i] = Math.sqrt(alphaBar);
      noiseScale[i] = Math.sqrt(1 - alphaBar);
    }
    long[] perSample = new long[shape.dimension()];
    Arrays.fill(perSample, 1);
    perSample[0] = timesteps.length;
    Shape coefficientShape = new Shape(perSample);
    NDManager manager = original.getManager();
    try (NDScope scope = new NDScope()) {
      NDArray a = manager.create(signal, coefficientShape).toType(original.getDataType(), false);
      NDArray b =
          manager.create(noiseScale, coefficientShape).toType(original.getDataType(), false);
      NDArray noised = original.mul(a).add(noise.mul(b));
      NDScope.unregister(noised);
      return noised;
    }
  }

  private void checkTimestep(int t) {
    if (t < 0 || t >= betas.length) {
      throw new IllegalArgumentException("timestep " + t + " is outside [0, " + betas.length + ")");
    }
  }

  private static void checkShapes(NDArray original, NDArray noise) {
    if (!original.getShape().equals(noise.getShape())) {
      throw new IllegalArgumentException(
          "original "
              + original.getShape()
              + " and noise "
              + noise.getShape()
              + " differ in shape");
    }
  }
}
