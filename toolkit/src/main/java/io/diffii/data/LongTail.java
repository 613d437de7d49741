package io.diffii.data;

import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Long-tailed subsets of any labelled data set by the comparison code's rule (the CUB-LT and
 * Flowers-LT layouts of Table 2): classes are sorted by size, largest first, and the class of rank
 * \(k\) keeps \(n_k = \max(\lfloor \bar n \cdot IF^{-k/(C-2)} \rfloor, 1)\) images, \(\bar n\) the
 * mean class size of the full set and \(C\) the number of classes. So rank 0 keeps the mean, rank
 * \(C-2\) keeps \(\bar n/IF\) and the last rank a little less. A class with fewer images than its
 * \(n_k\) keeps all of them. The embedded benchmark's own form (\(n_{max} \cdot IF^{-i/(C-1)}\),
 * smallest class exactly \(n_{max}/IF\)) is {@link Splits#longTail}.
 *
 * <pre>{@code
 * Split lt = LongTail.of(Cub200.load(root).split(), 100, seed);   // CUB-LT, IF 100
 * }</pre>
 */
public final class LongTail {

  /** The two long-tail schedules a runner can select. */
  public enum Form {
    /**
     * \(n_i = n_{max} \cdot IF^{-i/(C-1)}\), smallest class exactly \(n_{max}/IF\) (the CIFAR-LT
     * form, {@link Splits#longTailCounts}); the size is \(n_{max}\).
     */
    MAX,
    /**
     * The comparison code's \(n_k = \bar n \cdot IF^{-k/(C-2)}\) ({@link #counts}); the size is n̄.
     */
    MEAN;

    /** Returns the class sizes by rank for this form. */
    public int[] counts(int size, double imbalanceFactor, int classes) {
      return this == MAX
          ? Splits.longTailCounts(size, imbalanceFactor, classes)
          : LongTail.counts(size, imbalanceFactor, classes);
    }

    /** Returns the denominator of the exponent: C − 1 or C − 2. */
    public int span(int classes) {
      return this == MAX ? classes - 1 : classes - 2;
    }
  }

  private LongTail() {}

  /**
   * Returns \(n_k = \max(\lfloor \bar n \cdot IF^{-k/(C-2)} \rfloor, 1)\) for ranks \(k = 0 …
   * C-1\).
   */
  public static int[] counts(double meanSize, double imbalanceFactor, int classes) {
    if (meanSize < 1 || imbalanceFactor < 1 || classes < 3) {
      throw new IllegalArgumentException(
          "the comparison code's long tail needs a mean class size >= 1, IF >= 1 and at least 3"
              + " classes, got "
              + meanSize
              + ", "
              + imbalanceFactor
              + ", "
              + classes);
    }
    int[] n = new int[classes];
    for (int k = 0; k < classes; k++) {
      double v = meanSize * Math.pow(imbalanceFactor, -k / (double) (classes - 2));
      // The epsilon keeps exact values such as 30·10^-1 = 3 from flooring to 2.
      n[k] = Math.max(1, (int) Math.floor(v + 1e-9));
    }
    return n;
  }

  /**
   * Returns the long-tailed subset of {@code train}: classes ranked by size (largest first, ties by
   * label), rank {@code k} keeping {@code min(size, n_k)} images drawn by {@code seed} as {@link
   * ImageDataset#perClass(int[], long)} does.
   */
  public static ImageDataset subset(ImageDataset train, double imbalanceFactor, long seed) {
    return train.perClass(keptCounts(train.classCounts(), imbalanceFactor), seed);
  }

  /** Returns the split with its training part made long-tailed; validation and test unchanged. */
  public static Split of(Split split, double imbalanceFactor, long seed) {
    return new Split(subset(split.train(), imbalanceFactor, seed), split.val(), split.test());
  }

  /** Returns the images each class keeps, indexed by label, for classes of the given sizes. */
  public static int[] keptCounts(int[] sizes, double imbalanceFactor) {
    double mean = IntStream.of(sizes).average().orElse(0);
    int[] n = counts(mean, imbalanceFactor, sizes.length);
    Integer[] byRank =
        IntStream.range(0, sizes.length)
            .boxed()
            .sorted(Comparator.comparingInt((Integer c) -> -sizes[c]).thenComparing(c -> c))
            .toArray(Integer[]::new);
    int[] kept = new int[sizes.length];
    for (int k = 0; k < byRank.length; k++) {
      kept[byRank[k]] = Math.min(sizes[byRank[k]], n[k]);
    }
    return kept;
  }
}
