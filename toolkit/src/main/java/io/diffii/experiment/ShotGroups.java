package io.diffii.experiment;

/**
 * The many / medium / few-shot partition of a long-tailed training set's classes by their number of
 * training images: many-shot above {@code many}, few-shot below {@code few}, medium-shot between
 * (bounds included). Long-tail papers report accuracy per group beside the overall one.
 *
 * <p>Fixed thresholds suit data sets with many classes: ImageNet-LT uses 100 and 20, the comparison
 * code uses 20 and 5 for CUB-LT ({@link #cub()}). With the embedded benchmark's 10 classes a fixed
 * threshold does not work across imbalance factors: with {@code n_max = 50}, thresholds 20 and 5
 * would give no few-shot class at IF 10 (the smallest class has 5 images) but 6 of 10 at IF 100.
 * {@link #thirds} instead cuts the schedule's log-size axis into thirds, so every IF has the same 3
 * / 4 / 3 classes per group for 10 classes: the 3 largest classes are many-shot, the 3 smallest
 * few-shot. The cuts lie half a class step between ranks on the schedule, so the floored class
 * sizes never fall on a threshold.
 *
 * @param many a class with more than this many training images is many-shot
 * @param few a class with fewer than this many training images is few-shot
 */
public record ShotGroups(double many, double few) {

  /** A class's group. */
  public enum Group {
    /** More training images than {@link #many}. */
    MANY,
    /** Between the thresholds. */
    MEDIUM,
    /** Fewer training images than {@link #few}. */
    FEW
  }

  /** Checks that the few-shot bound lies below the many-shot one. */
  public ShotGroups {
    if (!(few <= many)) {
      throw new IllegalArgumentException(
          "shot groups need few <= many, got many " + many + ", few " + few);
    }
  }

  /** Returns the comparison code's CUB-LT thresholds: many-shot above 20 images, few below 5. */
  public static ShotGroups cub() {
    return new ShotGroups(20, 5);
  }

  /**
   * Returns the thresholds that cut the embedded schedule \(n_i = n_{max} \cdot IF^{-i/(C-1)}\)
   * ({@code io.diffii.data.Splits#longTailCounts}) into thirds of its ranks; see {@link
   * #thirds(double, double, int, int)}.
   */
  public static ShotGroups thirds(int nMax, double imbalanceFactor, int classes) {
    return thirds(nMax, imbalanceFactor, classes, classes - 1);
  }

  /**
   * Returns the thresholds that cut a schedule \(n_i = top \cdot IF^{-i/span}\) into thirds of its
   * ranks: many-shot \(n > top \cdot IF^{-(r+1/2)/span}\) and few-shot \(n < top \cdot
   * IF^{-(C-r-3/2)/span}\) with \(r = \lfloor C/3 \rfloor - 1\), the last many-shot rank (for 10
   * classes: ranks 0–2 many, 3–6 medium, 7–9 few). The embedded schedule has {@code span = C - 1},
   * the comparison code's ({@code io.diffii.data.LongTail}) {@code top} = n̄ and {@code span = C -
   * 2}; where flooring gives neighbouring ranks the same size (1 image at IF 100), they share a
   * group.
   */
  public static ShotGroups thirds(double top, double imbalanceFactor, int classes, int span) {
    if (top < 1 || imbalanceFactor < 1 || classes < 3 || span < 1) {
      throw new IllegalArgumentException(
          "thirds need a top size >= 1, IF >= 1, at least 3 classes and span >= 1, got "
              + top
              + ", "
              + imbalanceFactor
              + ", "
              + classes
              + ", "
              + span);
    }
    double last = classes / 3 - 1 + 0.5;
    return new ShotGroups(
        top * Math.pow(imbalanceFactor, -last / span),
        top * Math.pow(imbalanceFactor, -(classes - 1 - last) / span));
  }

  /** Returns the group of a class with {@code trainImages} training images. */
  public Group of(int trainImages) {
    if (trainImages > many) {
      return Group.MANY;
    }
    return trainImages < few ? Group.FEW : Group.MEDIUM;
  }
}
