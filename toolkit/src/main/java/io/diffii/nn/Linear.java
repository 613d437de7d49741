package io.diffii.nn;

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
  private LoraAdapter adapter;

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

  /**
   * Attaches a low-rank adapter whose output is added to this layer's (or removes it with null);
   * the layer's own weights are untouched.
   */
  public void setAdapter(LoraAdapter adapter) {
    if (adapter != null
        && (adapter.inFeatures() != inFeatures || adapter.outFeatures() != outFeatures)) {
      throw new IllegalArgumentException(
          "adapter "
              + adapter.inFeatures()
              + "→"
              + adapter.outFeatures()
              + " does not fit a "
              + inFeatures
              + "→"
              + outFeatures
              + " layer");
    }
    this.adapter = adapter;
  }

  /** Returns the attached adapter, or null. */
  public LoraAdapter adapter() {
    return adapter;
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
    NDArray y = linear(x, w, b);
    return new NDList(adapter == null ? y : y.add(adapter.apply(x)));
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
