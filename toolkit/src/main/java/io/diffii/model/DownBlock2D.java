package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.ModuleList;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;
import java.util.ArrayList;
import java.util.List;

/**
 * One resolution level of an encoder path, covering diffusers' {@code DownBlock2D}, {@code
 * CrossAttnDownBlock2D} (a {@link Transformer2DModel} after each residual block) and the VAE's
 * {@code DownEncoderBlock2D} (no time embedding). Children {@code resnets.{i}}, {@code
 * attentions.{i}} and {@code downsamplers.0}. It returns every intermediate state, the UNet's skip
 * connections: the output of each residual (and transformer) layer, then the downsampled one.
 */
public final class DownBlock2D extends NamedBlock {

  private final ModuleList<ResnetBlock2D> resnets;
  private final ModuleList<Transformer2DModel> attentions;
  private final Downsample2D downsampler;

  /**
   * Creates a level of {@code layers} residual blocks from {@code in} to {@code out} channels, with
   * transformers when {@code attention} is not null, and a downsampler with the given convolution
   * padding when {@code addDownsample}.
   */
  public DownBlock2D(
      long in,
      long out,
      int layers,
      ResnetBlock2D.Settings resnet,
      Transformer2DModel.Spec attention,
      boolean addDownsample,
      int downsamplePadding) {
    this.resnets = module("resnets", new ModuleList<>());
    this.attentions = attention == null ? null : module("attentions", new ModuleList<>());
    for (int i = 0; i < layers; i++) {
      resnets.add(resnet.create(i == 0 ? in : out, out));
      if (attention != null) {
        attentions.add(attention.create(out, resnet.groups()));
      }
    }
    if (addDownsample) {
      ModuleList<Downsample2D> list = module("downsamplers", new ModuleList<>());
      this.downsampler = list.add(new Downsample2D(out, downsamplePadding));
    } else {
      this.downsampler = null;
    }
  }

  /** {@inheritDoc} Inputs: (h), or (h, time embedding, context); outputs: every state. */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray temb = inputs.size() > 1 ? inputs.get(1) : null;
    NDArray context = inputs.size() > 2 ? inputs.get(2) : null;
    return new NDList(forward(store, inputs.head(), temb, context, training));
  }

  /**
   * Runs the level on {@code h} with time embedding {@code temb} and context {@code context} (both
   * null in the VAE) and returns its states in order; the last one is the level's output.
   */
  public List<NDArray> forward(
      ParameterStore store, NDArray h, NDArray temb, NDArray context, boolean training) {
    List<NDArray> states = new ArrayList<>();
    for (int i = 0; i < resnets.size(); i++) {
      h = resnets.get(i).forward(store, h, temb, training);
      if (attentions != null) {
        h = attentions.get(i).forward(store, h, context, training);
      }
      states.add(h);
    }
    if (downsampler != null) {
      h = Tensors.call(store, downsampler, h, training);
      states.add(h);
    }
    return states;
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    throw new UnsupportedOperationException("a down block returns a variable list of states");
  }
}
