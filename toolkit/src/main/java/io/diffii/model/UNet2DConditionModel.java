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
import java.util.Deque;
import java.util.List;

/**
 * Stable Diffusion's noise predictor ε_θ(x_t, t, c), as diffusers' {@code UNet2DConditionModel},
 * with its parameter names. Shapes: latents {@code [B, 4, h, w]}, timesteps {@code [B]} (or one for
 * all), text context {@code [B, M, D]}; output {@code [B, 4, h, w]}.
 *
 * <p>Forward: t → sinusoidal features → {@code time_embedding}; {@code conv_in}; each of {@code
 * down_blocks.{i}} keeps its states as skip connections; {@code mid_block}; each of {@code
 * up_blocks.{i}} concatenates its skips, last produced first, and upsamples to the size of the next
 * skip; {@code conv_norm_out}, SiLU, {@code conv_out}.
 */
public final class UNet2DConditionModel extends NamedBlock {

  private final UNetConfig config;
  private final Conv2d convIn;
  private final TimestepEmbedding timeEmbedding;
  private final ModuleList<DownBlock2D> downBlocks;
  private final ModuleList<UpBlock2D> upBlocks;
  private final MidBlock2D midBlock;
  private final GroupNorm convNormOut;
  private final Conv2d convOut;

  /** Builds the network of {@code config}; parameter shapes are fixed, arrays not yet allocated. */
  public UNet2DConditionModel(UNetConfig config) {
    this.config = config;
    List<Integer> channels = config.blockOutChannels();
    int levels = config.levels();
    int first = channels.get(0);
    int last = channels.get(levels - 1);
    this.convIn =
        module(
            "conv_in",
            new Conv2d(
                config.inChannels(),
                first,
                config.convInKernel(),
                1,
                (config.convInKernel() - 1) / 2));
    this.timeEmbedding =
        module("time_embedding", new TimestepEmbedding(first, config.timeEmbeddingDim()));
    this.downBlocks = module("down_blocks", new ModuleList<>());
    this.upBlocks = module("up_blocks", new ModuleList<>());
    ResnetBlock2D.Settings resnet =
        new ResnetBlock2D.Settings(
            config.timeEmbeddingDim(), config.normNumGroups(), config.normEps(), 1f);
    for (int i = 0; i < levels; i++) {
      downBlocks.add(
          new DownBlock2D(
              channels.get(Math.max(i - 1, 0)),
              channels.get(i),
              config.layersPerBlock().get(i),
              resnet,
              config.downAttention(i),
              i < levels - 1,
              config.downsamplePadding()));
    }
    this.midBlock =
        module(
            "mid_block",
            new MidBlock2D(
                last,
                resnet.withOutputScaleFactor(config.midBlockScaleFactor()),
                config.midAttention().create(last, config.normNumGroups())));
    for (int i = 0; i < levels; i++) {
      int level = levels - 1 - i;
      upBlocks.add(
          new UpBlock2D(
              channels.get(Math.min(level + 1, levels - 1)),
              channels.get(Math.max(level - 1, 0)),
              channels.get(level),
              config.layersPerBlock().get(level) + 1,
              true,
              resnet,
              config.upAttention(i),
              i < levels - 1));
    }
    this.convNormOut =
        module("conv_norm_out", new GroupNorm(config.normNumGroups(), first, config.normEps()));
    this.convOut =
        module(
            "conv_out",
            new Conv2d(
                first,
                config.outChannels(),
                config.convOutKernel(),
                1,
                (config.convOutKernel() - 1) / 2));
  }

  /** Returns the configuration this network was built from. */
  public UNetConfig config() {
    return config;
  }

  /**
   * Predicts the noise in {@code latents} {@code [B, C, h, w]} at {@code timesteps} ({@code [B]},
   * or a scalar or {@code [1]} for all) given the text context {@code encoderHiddenStates} {@code
   * [B, M, D]}; inference mode. The result lives in the latents' manager.
   */
  public NDArray predictNoise(NDArray latents, NDArray timesteps, NDArray encoderHiddenStates) {
    ParameterStore store = new ParameterStore(latents.getManager(), false);
    return forward(store, new NDList(latents, timesteps, encoderHiddenStates), false)
        .singletonOrThrow();
  }

  /** {@inheritDoc} Inputs: latents, timesteps, encoder hidden states. */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    if (inputs.size() != 3) {
      throw new IllegalArgumentException(
          "the UNet takes (latents, timesteps, encoder hidden states), got "
              + inputs.size()
              + " inputs");
    }
    NDArray latents = inputs.get(0);
    NDArray context = inputs.get(2);
    long batch = latents.getShape().get(0);
    checkInputs(latents, inputs.get(1), context);

    NDArray timesteps = inputs.get(1).reshape(-1).broadcast(batch);
    NDArray features =
        TimestepEmbedding.sinusoidal(
            timesteps, config.blockOutChannels().get(0), config.flipSinToCos(), config.freqShift());
    NDArray temb = Tensors.call(store, timeEmbedding, features, training);

    NDArray h = Tensors.call(store, convIn, latents, training);
    Deque<NDArray> skips = new ArrayDeque<>();
    skips.add(h);
    for (DownBlock2D block : downBlocks.items()) {
      List<NDArray> states = block.forward(store, h, temb, context, training);
      skips.addAll(states);
      h = states.get(states.size() - 1);
    }
    h = midBlock.forward(store, h, temb, context, training);
    for (UpBlock2D block : upBlocks.items()) {
      Deque<NDArray> own = new ArrayDeque<>();
      for (int i = 0; i < block.layers(); i++) {
        own.addFirst(skips.removeLast());
      }
      long[] upsampleSize = skips.isEmpty() ? null : spatial(skips.peekLast());
      h = block.forward(store, h, temb, context, own, upsampleSize, training);
    }
    h = Tensors.silu(Tensors.call(store, convNormOut, h, training));
    return new NDList(Tensors.call(store, convOut, h, training));
  }

  private void checkInputs(NDArray latents, NDArray timesteps, NDArray context) {
    Shape l = latents.getShape();
    Shape c = context.getShape();
    long t = timesteps.getShape().size();
    if (l.dimension() != 4 || l.get(1) != config.inChannels()) {
      throw new IllegalArgumentException(
          "latents must be [B, " + config.inChannels() + ", h, w], got " + l);
    }
    if (t != 1 && t != l.get(0)) {
      throw new IllegalArgumentException(
          "timesteps must be one value or one per sample ("
              + l.get(0)
              + "), got "
              + timesteps.getShape());
    }
    int contextDim = config.crossAttentionDim().get(0);
    boolean widthMatches =
        c.dimension() == 3 && config.crossAttentionDim().stream().allMatch(d -> d == c.get(2));
    if (!widthMatches || c.get(0) != l.get(0)) {
      throw new IllegalArgumentException(
          "encoder hidden states must be [" + l.get(0) + ", M, " + contextDim + "], got " + c);
    }
  }

  private static long[] spatial(NDArray x) {
    Shape s = x.getShape();
    return new long[] {s.get(2), s.get(3)};
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape l = inputShapes[0];
    return new Shape[] {new Shape(l.get(0), config.outChannels(), l.get(2), l.get(3))};
  }
}
