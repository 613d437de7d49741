package io.diffii.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What the long-tail baselines of Table 2 use to favour rare classes: CMO's minority sampler and
 * DRW's class-balanced loss weights. Both read the real training labels only.
 */
public final class ClassBalance {

  private final int[][] byClass;

  private ClassBalance(int[][] byClass) {
    this.byClass = byClass;
  }

  /** Indexes the images of {@code labels} by class ({@code classes} classes). */
  public static ClassBalance of(int[] labels, int classes) {
    List<List<Integer>> lists = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      lists.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      lists.get(labels[i]).add(i);
    }
    int[][] present =
        lists.stream()
            .filter(l -> !l.isEmpty())
            .map(l -> l.stream().mapToInt(Integer::intValue).toArray())
            .toArray(int[][]::new);
    if (present.length == 0) {
      throw new IllegalArgumentException("no training images to sample from");
    }
    return new ClassBalance(present);
  }

  /**
   * Draws one image index as CMO's minority sampler does (Park et al. 2022: a weighted sampler with
   * replacement whose weight for an image of class c is 1/n_c): a class uniformly among those with
   * images, then one of its images uniformly. So image i of class c is drawn with probability
   * 1/(C·n_c), proportional to 1/n_c, and every class equally often.
   */
  public int draw(Random rng) {
    int[] members = byClass[rng.nextInt(byClass.length)];
    return members[rng.nextInt(members.length)];
  }

  /**
   * Returns the class-balanced loss weights of Cui et al. (2019) for classes of {@code counts}
   * training images: \(w_c = (1-\beta)/(1-\beta^{n_c})\), the inverse of the effective number of
   * samples, normalised so the weights of the classes with images sum to their number (as the
   * comparison code does); a class without images weighs 0.
   */
  public static double[] effectiveNumberWeights(int[] counts, double beta) {
    if (!(beta >= 0 && beta < 1)) {
      throw new IllegalArgumentException("effective-number β must be in [0, 1), got " + beta);
    }
    double[] w = new double[counts.length];
    double sum = 0;
    int present = 0;
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] > 0) {
        w[c] = (1 - beta) / (1 - Math.pow(beta, counts[c]));
        sum += w[c];
        present++;
      }
    }
    for (int c = 0; c < w.length; c++) {
      w[c] *= present / sum;
    }
    return w;
  }
}
