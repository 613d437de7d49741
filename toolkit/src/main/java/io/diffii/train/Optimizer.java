package io.diffii.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.Map;

/**
 * A first-order optimiser over named parameter arrays, each with a gradient attached. Its state
 * (moments, step counter) is {@link Stateful}, so a checkpoint can resume it exactly.
 */
public interface Optimizer extends Stateful, AutoCloseable {

  /** Returns the parameter arrays it updates, by name (the live arrays, not copies). */
  Map<String, NDArray> parameters();

  /** Applies one update with learning rate {@code lr}, then zeroes the gradients. */
  void step(double lr);

  /**
   * Scales all gradients so that their joint L2 norm is at most {@code maxNorm}, as PyTorch's
   * {@code clip_grad_norm_}, and returns the norm before clipping (NaN or infinite when a gradient
   * is not finite; the gradients are then left for {@link #zeroGrad} to drop).
   */
  default double clipGradNorm(double maxNorm) {
    // A gradient comes back as a new handle in its parameter's manager, where it would stay:
    // the scope closes it and everything derived from it.
    try (NDScope scope = new NDScope()) {
      double sq = 0;
      for (NDArray p : parameters().values()) {
        sq += p.getGradient().square().sum().getFloat();
      }
      double norm = Math.sqrt(sq);
      double scale = maxNorm / (norm + 1e-6);
      if (Double.isFinite(norm) && scale < 1) {
        for (NDArray p : parameters().values()) {
          p.getGradient().muli(scale);
        }
      }
      return norm;
    }
  }

  /** Zeroes every gradient without updating, e.g. to drop a step whose gradient is not finite. */
  default void zeroGrad() {
    try (NDScope scope = new NDScope()) {
      for (NDArray p : parameters().values()) {
        // Assigning, not subtracting or multiplying: NaN − NaN and 0·∞ are NaN.
        p.getGradient().set(new NDIndex("..."), 0f);
      }
    }
  }

  /** Frees the optimiser's state. */
  @Override
  void close();
}
