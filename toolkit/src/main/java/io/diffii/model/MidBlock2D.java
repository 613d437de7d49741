package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Attention;
import io.diffii.nn.ModuleList;
import io.diffii.nn.NamedBlock;

/**
 * The bottleneck, covering diffusers' {@code UNetMidBlock2DCrossAttn} (a {@link Transformer2DModel}
 * between two residual blocks) and the VAE's {@code UNetMidBlock2D} (a spatial {@link Attention},
 * or none when {@code mid_block_add_attention} is false): {@code resnets.0}, {@code attentions.0},
 * {@code resnets.1}. Channels and resolution are kept.
 */
public final class MidBlock2D extends NamedBlock {

  private final ModuleList<ResnetBlock2D> resnets;
  private final NamedBlock attention;

  /**
   * Creates a mid block over {@code channels} channels around {@code attention}, a {@link
   * Transformer2DModel} or a spatial {@link Attention}, or null for none.
   */
  public MidBlock2D(long channels, ResnetBlock2D.Settings resnet, NamedBlock attention) {
    this.resnets = module("resnets", new ModuleList<>());
    if (attention != null) {
      module("attentions", new ModuleList<>()).add(attention);
    }
    this.attention = attention;
    resnets.add(resnet.create(channels, channels));
    resnets.add(resnet.create(channels, channels));
  }

  /** {@inheritDoc} Inputs: (h), or (h, time embedding, context). */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray temb = inputs.size() > 1 ? inputs.get(1) : null;
    NDArray context = inputs.size() > 2 ? inputs.get(2) : null;
    return new NDList(forward(store, inputs.head(), temb, context, training));
  }

  /** Runs the block on {@code h} with time embedding and context (both null in the VAE). */
  public NDArray forward(
      ParameterStore store, NDArray h, NDArray temb, NDArray context, boolean training) {
    h = resnets.get(0).forward(store, h, temb, training);
    if (attention != null) {
      NDList in = context == null ? new NDList(h) : new NDList(h, context);
      h = attention.forward(store, in, training).singletonOrThrow();
    }
    return resnets.get(1).forward(store, h, temb, training);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
