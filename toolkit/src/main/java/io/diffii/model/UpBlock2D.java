package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.ModuleList;
import io.diffii.nn.NamedBlock;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One resolution level of a decoder path, covering diffusers' {@code UpBlock2D}, {@code
 * CrossAttnUpBlock2D} (a {@link Transformer2DModel} after each residual block) and the VAE's {@code
 * UpDecoderBlock2D} (no skips, no time embedding). Children {@code resnets.{i}}, {@code
 * attentions.{i}} and {@code upsamplers.0}.
 *
 * <p>With skip connections, each residual block first concatenates (on channels, after the current
 * state) the most recent remaining skip state of the encoder path, so the level consumes its skips
 * in the reverse order they were produced. Residual block i then takes {@code (i = 0 ? prev : out)
 * + (i = last ? in : out)} channels, where {@code prev} is the previous level's width and {@code
 * in} the width of the encoder level below this one, as diffusers builds it.
 */
public final class UpBlock2D extends NamedBlock {

  private final ModuleList<ResnetBlock2D> resnets;
  private final ModuleList<Transformer2DModel> attentions;
  private final Upsample2D upsampler;

  /**
   * Creates a level of {@code layers} residual blocks producing {@code out} channels from the
   * previous level's {@code prev} channels; with {@code skips}, the last block's skip has {@code
   * in} channels and the others {@code out}. Transformers follow each residual block when {@code
   * attention} is not null; an upsampler closes the level when {@code addUpsample}.
   */
  public UpBlock2D(
      long prev,
      long in,
      long out,
      int layers,
      boolean skips,
      ResnetBlock2D.Settings resnet,
      Transformer2DModel.Spec attention,
      boolean addUpsample) {
    this.resnets = module("resnets", new ModuleList<>());
    this.attentions = attention == null ? null : module("attentions", new ModuleList<>());
    for (int i = 0; i < layers; i++) {
      long resnetIn = i == 0 ? prev : out;
      long skip = !skips ? 0 : i == layers - 1 ? in : out;
      resnets.add(resnet.create(resnetIn + skip, out));
      if (attention != null) {
        attentions.add(attention.create(out, resnet.groups()));
      }
    }
    if (addUpsample) {
      ModuleList<Upsample2D> list = module("upsamplers", new ModuleList<>());
      this.upsampler = list.add(new Upsample2D(out));
    } else {
      this.upsampler = null;
    }
  }

  /** Returns the number of residual blocks, which is also the number of skips this level takes. */
  public int layers() {
    return resnets.size();
  }

  /** {@inheritDoc} Inputs: (h), or (h, time embedding, context, skips in production order). */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray temb = inputs.size() > 1 ? inputs.get(1) : null;
    NDArray context = inputs.size() > 2 ? inputs.get(2) : null;
    Deque<NDArray> skips = new ArrayDeque<>(inputs.subNDList(Math.min(3, inputs.size())));
    return new NDList(forward(store, inputs.head(), temb, context, skips, null, training));
  }

  /**
   * Runs the level on {@code h}. Time embedding and context are null in the VAE. {@code skips}
   * holds the encoder states in production order and this level pops {@link #layers()} of them from
   * its end (empty in the VAE). {@code upsampleSize} ({@code [H, W]}) fixes the upsampled size;
   * null doubles it.
   */
  public NDArray forward(
      ParameterStore store,
      NDArray h,
      NDArray temb,
      NDArray context,
      Deque<NDArray> skips,
      long[] upsampleSize,
      boolean training) {
    for (int i = 0; i < resnets.size(); i++) {
      if (!skips.isEmpty()) {
        h = NDArrays.concat(new NDList(h, skips.removeLast()), 1);
      }
      h = resnets.get(i).forward(store, h, temb, training);
      if (attentions != null) {
        h = attentions.get(i).forward(store, h, context, training);
      }
    }
    return upsampler == null ? h : upsampler.forward(store, h, upsampleSize, training);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    throw new UnsupportedOperationException("an up block's output depends on its skip inputs");
  }
}
