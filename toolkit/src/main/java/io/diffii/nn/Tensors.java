package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/** Small array helpers shared by the network blocks of this package. */
public final class Tensors {

  private Tensors() {}

  /** Returns SiLU (swish), \(x·σ(x)\). */
  public static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  /** Runs a child block that takes one input and gives one output. */
  public static NDArray call(ParameterStore store, Block block, NDArray x, boolean training) {
    return block.forward(store, new NDList(x), training).singletonOrThrow();
  }
}
