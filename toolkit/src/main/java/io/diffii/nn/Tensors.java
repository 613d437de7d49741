package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/** Small array helpers shared by the network blocks of this package. */
public final class Tensors {

  private Tensors() {}

  /**
   * Returns {@code x · s}. Use this, never {@code x.mul(s)} with a number, wherever a gradient
   * flows through {@code x}: DJL's PyTorch engine makes the scalar of {@code NDArray.mul(Number)}
   * over a Java direct buffer ({@code torch::from_blob}) and closes it as soon as the product is
   * made, while autograd keeps that scalar for the backward pass; once the garbage collector has
   * freed the buffer, the backward pass reads freed memory (gradients NaN, zero or merely wrong,
   * depending on when the GC ran). The scalar made here owns PyTorch-allocated memory.
   */
  public static NDArray mul(NDArray x, double s) {
    try (NDArray k = scalar(x, s)) {
      return x.mul(k);
    }
  }

  /** Returns {@code x / s}; see {@link #mul(NDArray, double)} for why not {@code x.div(s)}. */
  public static NDArray div(NDArray x, double s) {
    try (NDArray k = scalar(x, s)) {
      return x.div(k);
    }
  }

  /** A 0-d array of {@code like}'s type holding {@code s}, copied into memory PyTorch allocated. */
  private static NDArray scalar(NDArray like, double s) {
    // toType returns a view of the same memory when the type is already right; duplicate copies.
    try (NDArray java = like.getManager().create(s);
        NDArray typed = java.toType(like.getDataType(), false)) {
      return typed.duplicate();
    }
  }

  /** Returns SiLU (swish), \(x·σ(x)\). */
  public static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  /** Runs a child block that takes one input and gives one output. */
  public static NDArray call(ParameterStore store, Block block, NDArray x, boolean training) {
    return block.forward(store, new NDList(x), training).singletonOrThrow();
  }
}
