package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Conv2d;
import io.diffii.nn.GroupNorm;
import io.diffii.nn.Linear;
import io.diffii.nn.ModuleList;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;

/**
 * The spatial transformer of Stable Diffusion's UNet, as diffusers' {@code Transformer2DModel} on
 * continuous input: group norm ({@code norm}, ε = 1e-6), {@code proj_in} to the inner width
 * heads·dimHead, the H·W positions as tokens through {@code transformer_blocks.{i}}, {@code
 * proj_out} back, and the input added. The projections are 1×1 convolutions, or linear layers on
 * the tokens when {@code use_linear_projection} (SD 2.x). Inputs {@code x [B, C, H, W]} and context
 * {@code [B, M, contextDim]}; output {@code [B, C, H, W]}.
 */
public final class Transformer2DModel extends NamedBlock {

  /**
   * What a cross-attention level of the UNet needs to build its transformers: {@code heads} heads,
   * {@code layers} transformer blocks each, a context of width {@code contextDim}, and the kind of
   * projection.
   */
  public record Spec(int heads, int layers, int contextDim, boolean useLinearProjection) {

    /** Validates the values. */
    public Spec {
      if (heads <= 0 || layers <= 0 || contextDim <= 0) {
        throw new IllegalArgumentException(
            "transformer needs positive heads, layers and context width, got "
                + heads
                + ", "
                + layers
                + ", "
                + contextDim);
      }
    }

    /** Returns a transformer over {@code channels} channels normalised in {@code groups} groups. */
    public Transformer2DModel create(long channels, int groups) {
      return new Transformer2DModel(this, channels, groups);
    }
  }

  private final boolean linearProjection;
  private final GroupNorm norm;
  private final NamedBlock projIn;
  private final ModuleList<BasicTransformerBlock> blocks;
  private final NamedBlock projOut;

  /** Creates a transformer over {@code channels} channels. */
  public Transformer2DModel(Spec spec, long channels, int groups) {
    int dimHead = (int) (channels / spec.heads());
    if (dimHead == 0) {
      throw new IllegalArgumentException(
          channels + " channels cannot hold " + spec.heads() + " heads");
    }
    long inner = (long) spec.heads() * dimHead;
    this.linearProjection = spec.useLinearProjection();
    this.norm = module("norm", new GroupNorm(groups, channels, 1e-6f));
    this.projIn =
        module(
            "proj_in",
            linearProjection ? new Linear(channels, inner) : new Conv2d(channels, inner, 1, 1, 0));
    this.blocks = module("transformer_blocks", new ModuleList<>());
    for (int i = 0; i < spec.layers(); i++) {
      blocks.add(new BasicTransformerBlock(inner, spec.heads(), dimHead, spec.contextDim()));
    }
    this.projOut =
        module(
            "proj_out",
            linearProjection ? new Linear(inner, channels) : new Conv2d(inner, channels, 1, 1, 0));
  }

  /** {@inheritDoc} Inputs: (x, context). */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forward(store, inputs.get(0), inputs.get(1), training));
  }

  /** Runs the transformer on the feature map {@code x} with context {@code context}. */
  public NDArray forward(ParameterStore store, NDArray x, NDArray context, boolean training) {
    Shape s = x.getShape();
    long b = s.get(0);
    long h = s.get(2);
    long w = s.get(3);
    NDArray hidden = Tensors.call(store, norm, x, training);
    if (!linearProjection) {
      hidden = Tensors.call(store, projIn, hidden, training);
    }
    hidden = hidden.transpose(0, 2, 3, 1).reshape(b, h * w, -1);
    if (linearProjection) {
      hidden = Tensors.call(store, projIn, hidden, training);
    }
    for (BasicTransformerBlock block : blocks.items()) {
      hidden = block.forward(store, hidden, context, training);
    }
    if (linearProjection) {
      hidden = Tensors.call(store, projOut, hidden, training);
    }
    hidden = hidden.reshape(b, h, w, -1).transpose(0, 3, 1, 2);
    if (!linearProjection) {
      hidden = Tensors.call(store, projOut, hidden, training);
    }
    return hidden.add(x);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
