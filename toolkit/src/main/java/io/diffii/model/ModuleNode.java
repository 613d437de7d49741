package io.diffii.model;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.NamedBlock;

/**
 * A named level of a module tree without computation of its own (transformers' {@code text_model},
 * {@code embeddings}, {@code encoder}): it only gives the parameters below it their dotted names.
 * The model that owns it computes through it.
 */
class ModuleNode extends NamedBlock {

  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    throw new UnsupportedOperationException("called through the model that owns it");
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    throw new UnsupportedOperationException("called through the model that owns it");
  }

  /** An embedding table {@code [rows, width]} with the parameter name {@code weight}. */
  static final class Table extends ModuleNode {
    final Parameter weight;

    Table(long rows, long width) {
      weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(rows, width));
    }
  }
}
