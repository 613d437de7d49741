package io.diffii.pipeline;

import ai.djl.ndarray.NDArray;

/**
 * The prompt embeddings to condition on at each timestep: constant for plain sampling, switching
 * from the suffixed to the plain prompt for Diff-II's two-stage denoising.
 */
@FunctionalInterface
public interface PromptSchedule {

  /** Returns the conditional embeddings {@code [B, L, D]} to use at timestep {@code t}. */
  NDArray at(int t);

  /** Returns a schedule that uses {@code embeddings} at every step. */
  static PromptSchedule constant(NDArray embeddings) {
    return t -> embeddings;
  }
}
