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
}
