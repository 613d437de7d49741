package io.diffii.augment;

/** How Diff-II makes the start latent of a synthetic image from a pair of inversions. */
public enum Interpolation {
  /** Eq. 5: a uniformly random point of the whole circle (Diff-II). */
  CIRCLE,
  /** Eq. 6: the short arc between the two inversions, λ ~ U[0, 1]. */
  SPHERICAL,
  /** Eq. 7: the long arc, λ ~ U[0, 2π/θ − 1]. */
  EXTRAPOLATION,
  /** (1 − λ)·a + λ·b, λ ~ U[0, 1]. */
  LINEAR,
  /** No inversion: a Gaussian latent (the ablation's first row). */
  NOISE
}
