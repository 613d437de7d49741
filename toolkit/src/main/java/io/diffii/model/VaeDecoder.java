package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Conv2d;
import io.diffii.nn.GroupNorm;
import io.diffii.nn.ModuleList;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The VAE's decoder, as diffusers' {@code Decoder}: {@code conv_in} from the latent channels to the
 * deepest level's, {@code mid_block}, {@code up_blocks.{i}} deepest first (layers + 1 residual
 * blocks, then a nearest ×2 upsampler on all but the last level), {@code conv_norm_out}, SiLU,
 * {@code conv_out}. Group norms use ε = 1e-6. Input {@code [B, latent, h, w]}, output {@code [B,
 * out, h·f, w·f]}.
 */
public final class VaeDecoder extends NamedBlock {

  private final Conv2d convIn;
  private final MidBlock2D midBlock;
  private final ModuleList<UpBlock2D> upBlocks;
  private final GroupNorm convNormOut;
  private final Conv2d convOut;

  /** Builds the decoder of {@code config}. */
  public VaeDecoder(VaeConfig config) {
    List<Integer> channels = config.blockOutChannels();
    int levels = channels.size();
    int first = channels.get(0);
    int last = channels.get(levels - 1);
    ResnetBlock2D.Settings resnet =
        new ResnetBlock2D.Settings(0, config.normNumGroups(), 1e-6f, 1f);
    this.convIn = module("conv_in", new Conv2d(config.latentChannels(), last, 3, 1, 1));
    this.midBlock = module("mid_block", VaeEncoder.midBlock(config, resnet));
    this.upBlocks = module("up_blocks", new ModuleList<>());
    for (int i = 0; i < levels; i++) {
      int level = levels - 1 - i;
      long prev = channels.get(Math.min(level + 1, levels - 1));
      upBlocks.add(
          new UpBlock2D(
              prev,
              prev,
              channels.get(level),
              config.layersPerBlock() + 1,
              false,
              resnet,
              null,
              i < levels - 1));
    }
    this.convNormOut = module("conv_norm_out", new GroupNorm(config.normNumGroups(), first, 1e-6f));
    this.convOut = module("conv_out", new Conv2d(first, config.outChannels(), 3, 1, 1));
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray h = Tensors.call(store, convIn, inputs.head(), training);
    h = midBlock.forward(store, h, null, null, training);
    for (UpBlock2D block : upBlocks.items()) {
      h = block.forward(store, h, null, null, new ArrayDeque<>(), null, training);
    }
    h = Tensors.silu(Tensors.call(store, convNormOut, h, training));
    return convOut.forward(store, new NDList(h), training);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    throw new UnsupportedOperationException("see AutoencoderKL for shapes");
  }
}
