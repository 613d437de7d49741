package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Conv2d;
import io.diffii.nn.GroupNorm;
import io.diffii.nn.Linear;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;

/**
 * A residual block as diffusers' {@code ResnetBlock2D} (time embedding norm "default"): \(h =
 * \mathrm{conv1}(\mathrm{SiLU}(\mathrm{norm1}(x)))\), plus
 * \(\mathrm{time\_emb\_proj}(\mathrm{SiLU}( e))\) broadcast over positions when there is a time
 * embedding e, then \(h = \mathrm{conv2}(\mathrm{SiLU}(\mathrm{norm2}(h)))\) and \(y =
 * (\mathrm{shortcut}(x) + h)/s\). The shortcut is a 1×1 {@code conv_shortcut} when the channel
 * count changes, the identity otherwise; s is the output scale factor. Input {@code [B, in, H, W]}
 * and, with a time embedding, {@code [B, T]}; output {@code [B, out, H, W]}.
 */
public final class ResnetBlock2D extends NamedBlock {

  /**
   * What every residual block of one network shares: the time-embedding width ({@code 0}: none, as
   * in the VAE), the number of norm groups, the norms' epsilon and the output scale factor.
   */
  public record Settings(
      int timeEmbeddingChannels, int groups, float eps, float outputScaleFactor) {

    /** Validates the values. */
    public Settings {
      if (timeEmbeddingChannels < 0 || groups <= 0 || !(eps > 0) || !(outputScaleFactor > 0)) {
        throw new IllegalArgumentException(
            "residual blocks need time channels ≥ 0 and positive groups, epsilon and scale, got "
                + timeEmbeddingChannels
                + ", "
                + groups
                + ", "
                + eps
                + ", "
                + outputScaleFactor);
      }
    }

    /** Returns a block from {@code in} to {@code out} channels. */
    public ResnetBlock2D create(long in, long out) {
      return new ResnetBlock2D(this, in, out);
    }

    /** Returns these settings with another output scale factor. */
    public Settings withOutputScaleFactor(float factor) {
      return new Settings(timeEmbeddingChannels, groups, eps, factor);
    }
  }

  private final long outChannels;
  private final float outputScaleFactor;
  private final GroupNorm norm1;
  private final Conv2d conv1;
  private final Linear timeEmbProj;
  private final GroupNorm norm2;
  private final Conv2d conv2;
  private final Conv2d convShortcut;

  /** Creates a block from {@code in} to {@code out} channels. */
  public ResnetBlock2D(Settings settings, long in, long out) {
    this.outChannels = out;
    this.outputScaleFactor = settings.outputScaleFactor();
    this.norm1 = module("norm1", new GroupNorm(settings.groups(), in, settings.eps()));
    this.conv1 = module("conv1", new Conv2d(in, out, 3, 1, 1));
    this.timeEmbProj =
        settings.timeEmbeddingChannels() == 0
            ? null
            : module("time_emb_proj", new Linear(settings.timeEmbeddingChannels(), out));
    this.norm2 = module("norm2", new GroupNorm(settings.groups(), out, settings.eps()));
    this.conv2 = module("conv2", new Conv2d(out, out, 3, 1, 1));
    this.convShortcut = in == out ? null : module("conv_shortcut", new Conv2d(in, out, 1, 1, 0));
  }

  /** {@inheritDoc} Inputs: (x), or (x, time embedding). */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray temb = inputs.size() > 1 ? inputs.get(1) : null;
    return new NDList(forward(store, inputs.head(), temb, training));
  }

  /** Runs the block on {@code x} with the time embedding {@code temb} (null in the VAE). */
  public NDArray forward(ParameterStore store, NDArray x, NDArray temb, boolean training) {
    if ((temb == null) != (timeEmbProj == null)) {
      throw new IllegalArgumentException(
          timeEmbProj == null
              ? "this residual block has no time embedding projection but got a time embedding"
              : "this residual block needs a time embedding");
    }
    NDArray h = Tensors.silu(Tensors.call(store, norm1, x, training));
    h = Tensors.call(store, conv1, h, training);
    if (temb != null) {
      NDArray projected = Tensors.call(store, timeEmbProj, Tensors.silu(temb), training);
      h = h.add(projected.reshape(projected.getShape().get(0), -1, 1, 1));
    }
    h = Tensors.silu(Tensors.call(store, norm2, h, training));
    h = Tensors.call(store, conv2, h, training);
    NDArray shortcut = convShortcut == null ? x : Tensors.call(store, convShortcut, x, training);
    return Tensors.div(shortcut.add(h), outputScaleFactor);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), outChannels, in.get(2), in.get(3))};
  }
}
