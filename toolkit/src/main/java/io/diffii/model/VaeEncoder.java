package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Attention;
import io.diffii.nn.Conv2d;
import io.diffii.nn.GroupNorm;
import io.diffii.nn.ModuleList;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;
import java.util.List;

/**
 * The VAE's encoder, as diffusers' {@code Encoder} with {@code double_z}: {@code conv_in}, {@code
 * down_blocks.{i}} (residual blocks, then a stride-2 downsampler padded bottom-right on all but the
 * last level), {@code mid_block}, {@code conv_norm_out}, SiLU, {@code conv_out} to 2·latent
 * channels (mean and log-variance). Group norms use ε = 1e-6. Input {@code [B, in, H, W]}, output
 * {@code [B, 2·latent, H/f, W/f]}.
 */
public final class VaeEncoder extends NamedBlock {

  private final Conv2d convIn;
  private final ModuleList<DownBlock2D> downBlocks;
  private final MidBlock2D midBlock;
  private final GroupNorm convNormOut;
  private final Conv2d convOut;

  /** Builds the encoder of {@code config}. */
  public VaeEncoder(VaeConfig config) {
    List<Integer> channels = config.blockOutChannels();
    int levels = channels.size();
    int last = channels.get(levels - 1);
    ResnetBlock2D.Settings resnet =
        new ResnetBlock2D.Settings(0, config.normNumGroups(), 1e-6f, 1f);
    this.convIn = module("conv_in", new Conv2d(config.inChannels(), channels.get(0), 3, 1, 1));
    this.downBlocks = module("down_blocks", new ModuleList<>());
    for (int i = 0; i < levels; i++) {
      downBlocks.add(
          new DownBlock2D(
              channels.get(Math.max(i - 1, 0)),
              channels.get(i),
              config.layersPerBlock(),
              resnet,
              null,
              i < levels - 1,
              0));
    }
    this.midBlock = module("mid_block", midBlock(config, resnet));
    this.convNormOut = module("conv_norm_out", new GroupNorm(config.normNumGroups(), last, 1e-6f));
    this.convOut = module("conv_out", new Conv2d(last, 2L * config.latentChannels(), 3, 1, 1));
  }

  /** Returns the VAE's mid block over the deepest level: one attention head over all channels. */
  static MidBlock2D midBlock(VaeConfig config, ResnetBlock2D.Settings resnet) {
    List<Integer> channels = config.blockOutChannels();
    int last = channels.get(channels.size() - 1);
    Attention attention =
        config.midBlockAddAttention()
            ? Attention.spatial(last, 1, config.normNumGroups(), 1e-6f)
            : null;
    return new MidBlock2D(last, resnet, attention);
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray h = Tensors.call(store, convIn, inputs.head(), training);
    for (DownBlock2D block : downBlocks.items()) {
      List<NDArray> states = block.forward(store, h, null, null, training);
      h = states.get(states.size() - 1);
    }
    h = midBlock.forward(store, h, null, null, training);
    h = Tensors.silu(Tensors.call(store, convNormOut, h, training));
    return convOut.forward(store, new NDList(h), training);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    throw new UnsupportedOperationException("see AutoencoderKL for shapes");
  }
}
