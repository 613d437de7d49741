package io.diffii.train;

/** Learning-rate schedules as pure functions of the step. */
public final class LearningRate {

  private LearningRate() {}

  /**
   * Returns the rate at {@code step} (0-based) for a linear warm-up over {@code warmup} steps from
   * 0 to {@code base}, then a cosine decay to 0 at {@code total}.
   */
  public static double warmupCosine(double base, int warmup, int total, int step) {
    if (total <= 0 || warmup < 0 || warmup > total) {
      throw new IllegalArgumentException(
          "need 0 <= warmup <= total, total > 0: " + warmup + ", " + total);
    }
    if (step < warmup) {
      return base * (step + 1) / warmup;
    }
    double progress = (double) (step - warmup) / Math.max(1, total - warmup);
    return base * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
  }

  /**
   * Returns the rate at {@code step} (0-based) for a linear warm-up over {@code warmup} steps from
   * 0 to {@code base}, then {@code base} times {@code factors[i]} from step {@code milestones[i]}
   * on (the last milestone reached wins; milestones ascending), as the long-tail recipes' step
   * decay.
   */
  public static double warmupSteps(
      double base, int warmup, int[] milestones, double[] factors, int step) {
    if (warmup < 0 || milestones.length != factors.length) {
      throw new IllegalArgumentException(
          "need warmup >= 0 and one factor per milestone: "
              + warmup
              + ", "
              + milestones.length
              + " milestones, "
              + factors.length
              + " factors");
    }
    if (step < warmup) {
      return base * (step + 1) / warmup;
    }
    double rate = base;
    for (int i = 0; i < milestones.length; i++) {
      if (step >= milestones[i]) {
        rate = base * factors[i];
      }
    }
    return rate;
  }
}
