package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A fully connected layer, \(y = x W^T + b\), as PyTorch's {@code nn.Linear}: weight {@code [out,
 * in]}, optional bias {@code [out]}; input {@code [..., in]}, output {@code [..., out]}.
 */
public class Linear extends NamedBlock {

  private final long inFeatures;
  private final long outFeatures;
  private final Parameter weight;
  private final Parameter bias;

  /** Creates a layer mapping {@code inFeatures} to {@code outFeatures}, with or without bias. */
  public Linear(long inFeatures, long outFeatures, boolean withBias) {
    if (inFeatures <= 0 || outFeatures <= 0) {
      throw new IllegalArgumentException(
          "Linear needs positive sizes, got " + inFeatures + " -> " + outFeatures);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(outFeatures, inFeatures));
    this.bias = withBias ? parameter("bias", Parameter.Type.BIAS, new Shape(outFeatures)) : null;
  }

  /** Creates a layer with bias. */
  public Linear(long inFeatures, long outFeatures) {
    this(inFeatures, outFeatures, true);
  }

  /** Returns the input width. */
  public long inFeatures() {
    return inFeatures;
  }

  /** Returns the output width. */
  public long outFeatures() {
    return outFeatures;
  }

  /** Returns the weight parameter. */
  public Parameter weight() {
    return weight;
  }

  /** Returns the bias parameter, or null when the layer has none. */
  public Parameter bias() {
    return bias;
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    NDArray w = value(store, x, weight, training);
    NDArray b = bias == null ? null : value(store, x, bias, training);
    return new NDList(linear(x, w, b));
  }

  /** The layer's equation, \(x W^T + b\), over the last axis of {@code x}. */
  public static NDArray linear(NDArray x, NDArray w, NDArray b) {
    return ai.djl.nn.core.Linear.linear(x, w, b).singletonOrThrow();
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {in.slice(0, in.dimension() - 1).add(outFeatures)};
  }
}
