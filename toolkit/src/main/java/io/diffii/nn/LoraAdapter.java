package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A rank-r LoRA adapter (Hu et al. 2021) for one linear layer: \(Δy = (α/r)\, B A x\) with A
 * ("down", lora_A) of shape {@code [r, in]} drawn uniformly in ±1/√in (PEFT's Kaiming-uniform) and
 * B ("up", lora_B) of shape {@code [out, r]} zero, so a fresh adapter changes nothing. Its arrays
 * are not parameters of the layer: they train and save on their own.
 */
public final class LoraAdapter {

  private final NDArray down;
  private final NDArray up;
  private final float scale;

  /** Creates an adapter from its two matrices and scale α/r. */
  public LoraAdapter(NDArray down, NDArray up, float scale) {
    if (down.getShape().dimension() != 2
        || up.getShape().dimension() != 2
        || up.getShape().get(1) != down.getShape().get(0)) {
      throw new IllegalArgumentException(
          "LoRA needs down [r, in] and up [out, r], got "
              + down.getShape()
              + " and "
              + up.getShape());
    }
    this.down = down;
    this.up = up;
    this.scale = scale;
    down.setRequiresGradient(true);
    up.setRequiresGradient(true);
  }

  /** Returns a fresh adapter for an {@code in → out} layer, with arrays in {@code manager}. */
  public static LoraAdapter create(long in, long out, int rank, float alpha, NDManager manager) {
    if (rank <= 0) {
      throw new IllegalArgumentException("LoRA rank must be positive, got " + rank);
    }
    float bound = (float) (1.0 / Math.sqrt(in));
    NDArray down = manager.randomUniform(-bound, bound, new Shape(rank, in));
    NDArray up = manager.zeros(new Shape(out, rank));
    return new LoraAdapter(down, up, alpha / rank);
  }

  /** Returns the adapter's contribution for input {@code x [..., in]}. */
  public NDArray apply(NDArray x) {
    // Views of A and B in the input's manager, so the forward pass leaves nothing in theirs.
    NDArray a = down.get(x.getManager(), new ai.djl.ndarray.index.NDIndex("..."));
    NDArray b = up.get(x.getManager(), new ai.djl.ndarray.index.NDIndex("..."));
    return Tensors.mul(Linear.linear(Linear.linear(x, a, null), b, null), scale);
  }

  /** Returns A, the down projection {@code [r, in]} (lora_A). */
  public NDArray down() {
    return down;
  }

  /** Returns B, the up projection {@code [out, r]} (lora_B). */
  public NDArray up() {
    return up;
  }

  /** Returns α/r. */
  public float scale() {
    return scale;
  }

  /** Returns the layer input width. */
  public long inFeatures() {
    return down.getShape().get(1);
  }

  /** Returns the layer output width. */
  public long outFeatures() {
    return up.getShape().get(0);
  }
}
