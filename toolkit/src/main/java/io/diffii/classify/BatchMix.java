package io.diffii.classify;

/**
 * The classic batch-mixing augmentations of Table 1, applied by the trainer to a whole batch with
 * probability {@link #PROBABILITY}, as the comparison code does: each image is mixed with the image
 * a random permutation of the batch pairs it with, and its target distribution with that image's by
 * the same ratio.
 *
 * <ul>
 *   <li>Mixup (Zhang et al. 2018): x = λ·x_i + (1 − λ)·x_j, y = λ·y_i + (1 − λ)·y_j.
 *   <li>CutMix (Yun et al. 2019): a box of about (1 − λ) of the area, centred uniformly and clipped
 *       to the image, is pasted from x_j into x_i; λ is then recomputed as the exact fraction of
 *       x_i's pixels kept, and y = λ·y_i + (1 − λ)·y_j.
 *   <li>CMO (Park et al. 2022, context-rich minority oversampling, Table 2's long-tail baseline):
 *       CutMix whose pasted boxes come from a second batch drawn by {@link ClassBalance#draw}
 *       (image weight 1/n_c) instead of the batch itself, so rare objects land on the frequent
 *       classes' contexts.
 * </ul>
 *
 * λ ~ Beta(α, α) with the comparison code's α = 1, which is the uniform distribution on [0, 1]; one
 * λ per batch.
 */
public enum BatchMix {
  /** No mixing. */
  NONE,
  /** Mixup: a convex combination of two images and of their targets. */
  MIXUP,
  /** CutMix: a box of one image pasted into another, targets mixed by area. */
  CUTMIX,
  /** CMO: CutMix with boxes from a minority-weighted batch of real images. */
  CMO;

  /** The probability that a batch is mixed. */
  public static final double PROBABILITY = 0.5;
}
