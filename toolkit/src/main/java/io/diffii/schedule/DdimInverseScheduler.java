package io.diffii.schedule;

import ai.djl.ndarray.NDArray;
import io.diffii.schedule.DdimConfig.TimestepSpacing;

/**
 * DDIM inversion (the paper's Eq. 4) with the semantics of diffusers' {@code DDIMInverseScheduler}:
 * it runs the DDIM update of {@link DdimScheduler} backwards, from a clean latent to the latent at
 * the last timestep.
 *
 * <p>{@link #timesteps(int)} returns the sampler's timesteps in ascending order (for SD with 25
 * steps: 1, 41, …, 961). With Δ = ⌊T/n⌋, the step at timestep t moves the sample from the noise
 * level of t − Δ (below 0: 1 if {@code set_alpha_to_one}, else ᾱ_0) to the level of t, with the
 * noise predicted at (x, t). So each inverse step evaluates the model at the same timestep as the
 * sampler step that undoes it, and moves between the same two levels: with SD's config the
 * inversion starts at ᾱ_0, where the sampler ends. Inversion is exact when the model's prediction
 * does not change along the step (the approximation ε_θ(x_{t−1}, t) ≈ ε_θ(x_t, t) of Eq. 4).
 *
 * <pre>{@code
 * DdimInverseScheduler inverse = new DdimInverseScheduler(DdimConfig.stableDiffusion());
 * for (int t : inverse.timesteps(50)) {         // 1, 21, ..., 981
 *   latents = inverse.step(unet(latents, t), t, latents);
 * }
 * }</pre>
 *
 * <p>Stateful like {@link DdimScheduler}; the "linspace" spacing is rejected, as diffusers does.
 */
public final class DdimInverseScheduler implements Scheduler {

  private final DdimConfig config;
  private final double[] alphasCumprod;
  private final double initialAlphaCumprod;
  private int numInferenceSteps;

  /** Creates an inverse scheduler; call {@link #timesteps(int)} before stepping. */
  public DdimInverseScheduler(DdimConfig config) {
    this.config = config;
    this.alphasCumprod = NoiseSchedule.of(config).alphasCumprod();
    this.initialAlphaCumprod = config.setAlphaToOne() ? 1.0 : alphasCumprod[0];
  }

  /** Returns the config. */
  @Override
  public DdimConfig config() {
    return config;
  }

  /** Returns a copy of ᾱ_t for t ∈ [0, T). */
  public double[] alphasCumprod() {
    return alphasCumprod.clone();
  }

  /**
   * Returns the n timesteps in ascending order (SD, 25 steps: 1, 41, …, 961) and fixes n for later
   * {@code step} calls.
   */
  @Override
  public int[] timesteps(int numInferenceSteps) {
    if (config.timestepSpacing() == TimestepSpacing.LINSPACE) {
      throw new IllegalArgumentException(
          "the inverse scheduler supports timestep_spacing 'leading' and 'trailing', not"
              + " 'linspace'");
    }
    int[] timesteps = DdimScheduler.ascendingTimesteps(config, numInferenceSteps);
    this.numInferenceSteps = numInferenceSteps;
    return timesteps;
  }

  /**
   * Returns x at the noise level of timestep t from x at the level of t − Δ and the model's noise
   * prediction at (x, t), by Eq. 4.
   */
  @Override
  public NDArray step(NDArray modelOutput, int t, NDArray sample) {
    // Notation (variable → symbol in the paper's Eq. 4; Δ = ⌊T/n⌋):
    //   modelOutput  → ε_θ(x_{t−Δ}, c, t), the predicted noise
    //   sample       → x_{t−Δ}
    //   alphaBarFrom → ᾱ_{t−Δ}, the level the step starts from
    //   alphaBarTo   → ᾱ_t, the level it reaches
    //   result       → x_t
    if (numInferenceSteps == 0) {
      throw new IllegalStateException("call timesteps(numInferenceSteps) before step");
    }
    int trainSteps = config.numTrainTimesteps();
    if (t < 0 || t >= trainSteps) {
      throw new IllegalArgumentException("timestep " + t + " is outside [0, " + trainSteps + ")");
    }
    // 1. the start timestep t − Δ (clamped to T − 1 as diffusers does)
    int fromT = Math.min(t - trainSteps / numInferenceSteps, trainSteps - 1);
    // 2. ᾱ_{t−Δ} and ᾱ_t; before t = 0 the table ends: 1 if set_alpha_to_one, else ᾱ_0
    double alphaBarFrom = fromT >= 0 ? alphasCumprod[fromT] : initialAlphaCumprod;
    double alphaBarTo = alphasCumprod[t];
    // 3. x_t = √ᾱ_t·x̂_0 + √(1−ᾱ_t)·ε with x̂_0 = (x_{t−Δ} − √(1−ᾱ_{t−Δ})·ε)/√ᾱ_{t−Δ}   (Eq. 4)
    return DdimScheduler.update(modelOutput, sample, alphaBarFrom, alphaBarTo, 0, null, config);
  }
}
