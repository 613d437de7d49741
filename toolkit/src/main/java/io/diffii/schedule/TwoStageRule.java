package io.diffii.schedule;

/**
 * Diff-II's two-stage denoising rule (paper Sec. 3.3, as the released implementation applies it):
 * the suffixed prompt is used at timesteps t ≥ T·(1 − s) and the plain prompt below.
 *
 * <p>So the split ratio s is the fraction of the trajectory, counted from pure noise, that the
 * suffix steers: s = 0 never uses the suffix, s = 1 always does. Example: SD's 25 steps run 961 …
 * 1; at s = 0.3 the 7 timesteps 961 … 721 (those ≥ 700) use the suffix. The paper's sentence "the
 * first stage includes time steps from T to sT" says the opposite; its Figure 7 (larger s, more
 * diversity) agrees with the implementation, which this project follows.
 *
 * @param splitRatio s ∈ [0, 1]
 * @param numTrainTimesteps T, the scheduler's number of training timesteps
 */
public record TwoStageRule(double splitRatio, int numTrainTimesteps) {

  /** Validates s ∈ [0, 1] and T ≥ 1. */
  public TwoStageRule {
    if (!(splitRatio >= 0 && splitRatio <= 1)) {
      throw new IllegalArgumentException("split ratio s must be in [0, 1], got " + splitRatio);
    }
    if (numTrainTimesteps < 1) {
      throw new IllegalArgumentException(
          "num_train_timesteps must be positive, got " + numTrainTimesteps);
    }
  }

  /** Returns the rule for split ratio s with T taken from a scheduler config. */
  public static TwoStageRule of(double splitRatio, DdimConfig config) {
    return new TwoStageRule(splitRatio, config.numTrainTimesteps());
  }

  /** Returns whether the denoising step at timestep t uses the suffixed prompt: t ≥ T·(1 − s). */
  public boolean suffixed(int t) {
    return t >= numTrainTimesteps * (1 - splitRatio);
  }
}
