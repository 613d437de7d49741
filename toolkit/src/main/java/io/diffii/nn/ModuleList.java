package io.diffii.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An indexed list of blocks, named {@code 0, 1, …} in checkpoint keys as PyTorch's {@code
 * nn.ModuleList} names them ({@code down_blocks.0.resnets.1}). It is a container, not a layer: the
 * owner decides how its items are called, so {@link #forward} is not supported.
 */
public final class ModuleList<B extends NamedBlock> extends NamedBlock {

  private final List<B> items = new ArrayList<>();

  /** Appends a block and returns it. */
  public B add(B block) {
    module(Integer.toString(items.size()), block);
    items.add(block);
    return block;
  }

  /** Returns the block at {@code index}. */
  public B get(int index) {
    return items.get(index);
  }

  /** Returns the number of blocks. */
  public int size() {
    return items.size();
  }

  /** Returns the blocks in order. */
  public List<B> items() {
    return Collections.unmodifiableList(items);
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    throw new UnsupportedOperationException("a ModuleList is called item by item by its owner");
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    throw new UnsupportedOperationException("a ModuleList has no output of its own");
  }
}
