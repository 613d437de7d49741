package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Layer normalisation over the last axis, as PyTorch's {@code nn.LayerNorm(dim)}: \(y = γ (x −
 * μ)/\sqrt{σ^2 + ε} + β\) with μ, σ² over the last axis; parameters {@code weight} (γ) and {@code
 * bias} (β) of shape {@code [dim]}.
 */
public class LayerNorm extends NamedBlock {

  private final long dim;
  private final float eps;
  private final Parameter weight;
  private final Parameter bias;

  /** Creates a layer norm over {@code dim} features with epsilon {@code eps}. */
  public LayerNorm(long dim, float eps) {
    this.dim = dim;
    this.eps = eps;
    this.weight = parameter("weight", Parameter.Type.GAMMA, new Shape(dim));
    this.bias = parameter("bias", Parameter.Type.BETA, new Shape(dim));
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    return new NDList(
        layerNorm(x, value(store, x, weight, training), value(store, x, bias, training), eps));
  }

  /** The equation, normalising over the last axis of {@code x}. */
  public static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, float eps) {
    Shape normalized = new Shape(x.getShape().tail());
    return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, gamma, beta, eps).singletonOrThrow();
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }

  /** Returns the normalised width. */
  public long dim() {
    return dim;
  }
}
