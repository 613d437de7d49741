package io.diffii.model;

import com.google.gson.JsonElement;
import io.diffii.io.ConfigJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The configuration of a {@link UNet2DConditionModel}, the subset of diffusers' {@code
 * unet/config.json} that Stable Diffusion 1.x / 2.x UNets use. Per-block values are stored one per
 * resolution level, in down-path order. {@link #attentionHeads()} is the number of heads (what
 * diffusers' config calls {@code attention_head_dim}, a historical misnomer); each attention level
 * then has heads of width channels / heads.
 *
 * @param sampleSize latent side the model was trained at
 * @param inChannels latent channels in
 * @param outChannels channels of the predicted noise
 * @param blockOutChannels channels of each level
 * @param layersPerBlock residual blocks per down level (up levels have one more)
 * @param downBlockTypes {@code CrossAttnDownBlock2D} or {@code DownBlock2D} per level
 * @param upBlockTypes {@code CrossAttnUpBlock2D} or {@code UpBlock2D} per level, deepest first
 * @param crossAttentionDim width of the text context, per level
 * @param attentionHeads attention heads per level
 * @param transformerLayersPerBlock transformer blocks inside each spatial transformer, per level
 * @param normNumGroups groups of every group norm
 * @param normEps epsilon of the residual blocks' and the output group norms
 * @param flipSinToCos whether the timestep features are ordered cos, sin
 * @param freqShift the frequency shift of the timestep features
 * @param useLinearProjection linear instead of 1×1-convolution projections in the transformers
 * @param downsamplePadding padding of the downsampling convolutions
 * @param midBlockScaleFactor output scale factor of the mid block's residual blocks
 * @param convInKernel kernel side of {@code conv_in}
 * @param convOutKernel kernel side of {@code conv_out}
 * @param timeEmbeddingDim width of the time embedding
 */
public record UNetConfig(
    int sampleSize,
    int inChannels,
    int outChannels,
    List<Integer> blockOutChannels,
    List<Integer> layersPerBlock,
    List<String> downBlockTypes,
    List<String> upBlockTypes,
    List<Integer> crossAttentionDim,
    List<Integer> attentionHeads,
    List<Integer> transformerLayersPerBlock,
    int normNumGroups,
    float normEps,
    boolean flipSinToCos,
    float freqShift,
    boolean useLinearProjection,
    int downsamplePadding,
    float midBlockScaleFactor,
    int convInKernel,
    int convOutKernel,
    int timeEmbeddingDim) {

  /** The down block types this implementation builds. */
  public static final Set<String> DOWN_BLOCK_TYPES = Set.of("CrossAttnDownBlock2D", "DownBlock2D");

  /** The up block types this implementation builds. */
  public static final Set<String> UP_BLOCK_TYPES = Set.of("CrossAttnUpBlock2D", "UpBlock2D");

  /** Validates the values; messages use diffusers' key names. */
  public UNetConfig {
    blockOutChannels = List.copyOf(blockOutChannels);
    layersPerBlock = List.copyOf(layersPerBlock);
    downBlockTypes = List.copyOf(downBlockTypes);
    upBlockTypes = List.copyOf(upBlockTypes);
    crossAttentionDim = List.copyOf(crossAttentionDim);
    attentionHeads = List.copyOf(attentionHeads);
    transformerLayersPerBlock = List.copyOf(transformerLayersPerBlock);
    int levels = blockOutChannels.size();
    require(levels > 0, "block_out_channels must not be empty");
    require(sampleSize > 0, "sample_size must be positive, got " + sampleSize);
    require(inChannels > 0 && outChannels > 0, "in_channels and out_channels must be positive");
    require(normNumGroups > 0, "norm_num_groups must be positive, got " + normNumGroups);
    require(normEps > 0, "norm_eps must be positive, got " + normEps);
    for (int c : blockOutChannels) {
      require(
          c > 0 && c % normNumGroups == 0,
          "block_out_channels "
              + blockOutChannels
              + " must be multiples of norm_num_groups "
              + normNumGroups);
    }
    sameLength("layers_per_block", layersPerBlock, levels);
    sameLength("down_block_types", downBlockTypes, levels);
    sameLength("up_block_types", upBlockTypes, levels);
    sameLength("cross_attention_dim", crossAttentionDim, levels);
    sameLength("attention_head_dim (number of heads)", attentionHeads, levels);
    sameLength("transformer_layers_per_block", transformerLayersPerBlock, levels);
    for (int i = 0; i < levels; i++) {
      require(layersPerBlock.get(i) > 0, "layers_per_block must be positive: " + layersPerBlock);
      require(
          crossAttentionDim.get(i) > 0,
          "cross_attention_dim must be positive: " + crossAttentionDim);
      require(
          attentionHeads.get(i) > 0 && attentionHeads.get(i) <= blockOutChannels.get(i),
          "attention heads "
              + attentionHeads
              + " must be in 1..block_out_channels "
              + blockOutChannels);
      require(
          transformerLayersPerBlock.get(i) > 0,
          "transformer_layers_per_block must be positive: " + transformerLayersPerBlock);
      require(
          DOWN_BLOCK_TYPES.contains(downBlockTypes.get(i)),
          "down_block_types: unsupported '"
              + downBlockTypes.get(i)
              + "', expected one of "
              + DOWN_BLOCK_TYPES);
      require(
          UP_BLOCK_TYPES.contains(upBlockTypes.get(i)),
          "up_block_types: unsupported '"
              + upBlockTypes.get(i)
              + "', expected one of "
              + UP_BLOCK_TYPES);
    }
    require(downsamplePadding >= 0, "downsample_padding must be ≥ 0, got " + downsamplePadding);
    require(midBlockScaleFactor > 0, "mid_block_scale_factor must be positive");
    require(
        convInKernel > 0 && convInKernel % 2 == 1,
        "conv_in_kernel must be odd, got " + convInKernel);
    require(
        convOutKernel > 0 && convOutKernel % 2 == 1,
        "conv_out_kernel must be odd, got " + convOutKernel);
    require(timeEmbeddingDim > 0, "time_embedding_dim must be positive, got " + timeEmbeddingDim);
  }

  /** Returns the number of resolution levels. */
  public int levels() {
    return blockOutChannels.size();
  }

  /**
   * Returns the transformer spec of down level {@code i}, or null when it has no cross-attention.
   */
  public Transformer2DModel.Spec downAttention(int i) {
    return downBlockTypes.get(i).equals("CrossAttnDownBlock2D") ? attention(i) : null;
  }

  /**
   * Returns the transformer spec of up level {@code i} (deepest first), or null when it has no
   * cross-attention; it uses the per-level values of the matching down level.
   */
  public Transformer2DModel.Spec upAttention(int i) {
    return upBlockTypes.get(i).equals("CrossAttnUpBlock2D") ? attention(levels() - 1 - i) : null;
  }

  /** Returns the transformer spec of the mid block, which uses the deepest level's values. */
  public Transformer2DModel.Spec midAttention() {
    return attention(levels() - 1);
  }

  private Transformer2DModel.Spec attention(int level) {
    return new Transformer2DModel.Spec(
        attentionHeads.get(level),
        transformerLayersPerBlock.get(level),
        crossAttentionDim.get(level),
        useLinearProjection);
  }

  /** Returns the Stable Diffusion 1.x UNet (859,520,964 parameters). */
  public static UNetConfig sd15() {
    return builder()
        .sampleSize(64)
        .blockOutChannels(320, 640, 1280, 1280)
        .layersPerBlock(2)
        .downBlockTypes(
            "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D")
        .upBlockTypes("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D")
        .crossAttentionDim(768)
        .attentionHeads(8)
        .build();
  }

  /**
   * Returns the embedded model's small UNet: channels (64, 128), one residual block per level,
   * cross-attention with 4 heads at both levels to a 128-wide text context, 8×8 latents.
   */
  public static UNetConfig tiny() {
    return builder()
        .sampleSize(8)
        .blockOutChannels(64, 128)
        .layersPerBlock(1)
        .downBlockTypes("CrossAttnDownBlock2D", "CrossAttnDownBlock2D")
        .upBlockTypes("CrossAttnUpBlock2D", "CrossAttnUpBlock2D")
        .crossAttentionDim(128)
        .attentionHeads(4)
        .build();
  }

  /**
   * Reads a diffusers {@code unet/config.json}. Missing keys take diffusers' defaults; keys that
   * select something this implementation does not build (class or addition embeddings, other block
   * types, another activation, dropout, …) are rejected naming the file and the key. Ignored, as
   * they change nothing here: {@code upcast_attention} (computation is float32 throughout) and
   * {@code resnet_out_scale_factor} (diffusers applies it only to block types not built here).
   */
  public static UNetConfig fromJson(Path file) {
    ConfigJson json = ConfigJson.read(file);
    String className = json.string("_class_name", "UNet2DConditionModel");
    if (!className.equals("UNet2DConditionModel")) {
      throw json.error("_class_name", "is '" + className + "', expected 'UNet2DConditionModel'");
    }
    rejectUnsupported(json);
    Builder b = builder();
    List<Integer> channels = json.integers("block_out_channels", b.blockOutChannels);
    int levels = channels.size();
    b.blockOutChannels = channels;
    b.sampleSize = json.integer("sample_size", b.sampleSize);
    b.inChannels = json.integer("in_channels", b.inChannels);
    b.outChannels = json.integer("out_channels", b.outChannels);
    b.downBlockTypes = json.strings("down_block_types", b.downBlockTypes);
    b.upBlockTypes = json.strings("up_block_types", b.upBlockTypes);
    b.layersPerBlock = json.perBlock("layers_per_block", levels, List.of(2));
    b.crossAttentionDim = json.perBlock("cross_attention_dim", levels, List.of(1280));
    List<Integer> headDim = json.perBlock("attention_head_dim", levels, List.of(8));
    b.attentionHeads = json.perBlock("num_attention_heads", levels, headDim);
    b.transformerLayersPerBlock = json.perBlock("transformer_layers_per_block", levels, List.of(1));
    if (json.isExplicitNull("norm_num_groups")) {
      throw json.error(
          "norm_num_groups", "is null; only UNets with output group norm are supported");
    }
    b.normNumGroups = json.integer("norm_num_groups", b.normNumGroups);
    b.normEps = json.number("norm_eps", b.normEps);
    b.flipSinToCos = json.bool("flip_sin_to_cos", b.flipSinToCos);
    b.freqShift = json.number("freq_shift", b.freqShift);
    b.useLinearProjection = json.bool("use_linear_projection", b.useLinearProjection);
    b.downsamplePadding = json.integer("downsample_padding", b.downsamplePadding);
    b.midBlockScaleFactor = json.number("mid_block_scale_factor", b.midBlockScaleFactor);
    b.convInKernel = json.integer("conv_in_kernel", b.convInKernel);
    b.convOutKernel = json.integer("conv_out_kernel", b.convOutKernel);
    b.timeEmbeddingDim = json.integer("time_embedding_dim", 0);
    json.rejectUnknown("diffusers' UNet2DConditionModel", IGNORED_KEYS);
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns this config as a diffusers {@code unet/config.json} that {@link #fromJson} reads back.
   */
  public String toJson() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("_class_name", "UNet2DConditionModel");
    m.put("_diffusers_version", "0.35.2");
    m.put("act_fn", "silu");
    m.put("attention_head_dim", ConfigJson.perBlockValue(attentionHeads));
    m.put("block_out_channels", blockOutChannels);
    m.put("center_input_sample", false);
    m.put("conv_in_kernel", convInKernel);
    m.put("conv_out_kernel", convOutKernel);
    m.put("cross_attention_dim", ConfigJson.perBlockValue(crossAttentionDim));
    m.put("down_block_types", downBlockTypes);
    m.put("downsample_padding", downsamplePadding);
    m.put("flip_sin_to_cos", flipSinToCos);
    m.put("freq_shift", freqShift);
    m.put("in_channels", inChannels);
    m.put("layers_per_block", ConfigJson.perBlockValue(layersPerBlock));
    m.put("mid_block_scale_factor", midBlockScaleFactor);
    m.put("norm_eps", normEps);
    m.put("norm_num_groups", normNumGroups);
    m.put("out_channels", outChannels);
    m.put("sample_size", sampleSize);
    m.put(
        "time_embedding_dim",
        timeEmbeddingDim == 4 * blockOutChannels.get(0) ? null : timeEmbeddingDim);
    m.put("transformer_layers_per_block", ConfigJson.perBlockValue(transformerLayersPerBlock));
    m.put("up_block_types", upBlockTypes);
    m.put("use_linear_projection", useLinearProjection);
    return ConfigJson.write(m);
  }

  /**
   * UNet2DConditionModel options that change nothing here: {@code upcast_attention} (computation is
   * float32 throughout), {@code resnet_out_scale_factor} (diffusers applies it only to block types
   * not built here) and the sizes of embeddings {@link #rejectUnsupported} refuses.
   */
  private static final List<String> IGNORED_KEYS =
      List.of(
          "upcast_attention",
          "resnet_out_scale_factor",
          "projection_class_embeddings_input_dim",
          "addition_time_embed_dim",
          "addition_embed_type_num_heads");

  private static void rejectUnsupported(ConfigJson json) {
    String sd = "Stable Diffusion 1.x/2.x UNets use it";
    json.requireValue("act_fn", "silu", sd);
    json.requireValue("center_input_sample", false, sd);
    json.requireValue("time_embedding_type", "positional", sd);
    json.requireValue("resnet_time_scale_shift", "default", sd);
    json.requireValue("resnet_skip_time_act", false, sd);
    json.requireValue("dual_cross_attention", false, sd);
    json.requireValue("attention_type", "default", sd);
    json.requireValue("class_embeddings_concat", false, sd);
    json.requireValue("mid_block_type", "UNetMidBlock2DCrossAttn", sd);
    json.requireValue("mid_block_only_cross_attention", false, sd);
    json.requireValue("dropout", 0, "training here runs without dropout");
    for (String key :
        List.of(
            "class_embed_type",
            "num_class_embeds",
            "addition_embed_type",
            "encoder_hid_dim",
            "encoder_hid_dim_type",
            "time_embedding_act_fn",
            "timestep_post_act",
            "time_cond_proj_dim",
            "cross_attention_norm",
            "reverse_transformer_layers_per_block")) {
      json.requireAbsent(key, sd);
    }
    JsonElement onlyCross = json.raw("only_cross_attention");
    if (onlyCross != null && !onlyCross.toString().matches("false|\\[(false,?)*]")) {
      throw json.error(
          "only_cross_attention", "is " + onlyCross + "; only false is supported (" + sd + ")");
    }
  }

  /** Returns a builder holding diffusers' {@code UNet2DConditionModel} defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a {@link UNetConfig}; defaults are diffusers' (the SD 1.x architecture with {@code
   * cross_attention_dim} 1280). Per-level setters take one value for all levels or one per level.
   */
  public static final class Builder {

    private int sampleSize = 64;
    private int inChannels = 4;
    private int outChannels = 4;
    private List<Integer> blockOutChannels = List.of(320, 640, 1280, 1280);
    private List<Integer> layersPerBlock = List.of(2);
    private List<String> downBlockTypes =
        List.of(
            "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D");
    private List<String> upBlockTypes =
        List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D");
    private List<Integer> crossAttentionDim = List.of(1280);
    private List<Integer> attentionHeads = List.of(8);
    private List<Integer> transformerLayersPerBlock = List.of(1);
    private int normNumGroups = 32;
    private float normEps = 1e-5f;
    private boolean flipSinToCos = true;
    private float freqShift = 0;
    private boolean useLinearProjection = false;
    private int downsamplePadding = 1;
    private float midBlockScaleFactor = 1;
    private int convInKernel = 3;
    private int convOutKernel = 3;
    private int timeEmbeddingDim = 0;

    private Builder() {}

    /** Sets {@code sample_size}. */
    public Builder sampleSize(int v) {
      sampleSize = v;
      return this;
    }

    /** Sets {@code in_channels}. */
    public Builder inChannels(int v) {
      inChannels = v;
      return this;
    }

    /** Sets {@code out_channels}. */
    public Builder outChannels(int v) {
      outChannels = v;
      return this;
    }

    /** Sets {@code block_out_channels}, which fixes the number of levels. */
    public Builder blockOutChannels(int... v) {
      blockOutChannels = boxed(v);
      return this;
    }

    /** Sets {@code layers_per_block}. */
    public Builder layersPerBlock(int... v) {
      layersPerBlock = boxed(v);
      return this;
    }

    /** Sets {@code down_block_types}. */
    public Builder downBlockTypes(String... v) {
      downBlockTypes = List.of(v);
      return this;
    }

    /** Sets {@code up_block_types}, deepest level first. */
    public Builder upBlockTypes(String... v) {
      upBlockTypes = List.of(v);
      return this;
    }

    /** Sets {@code cross_attention_dim}. */
    public Builder crossAttentionDim(int... v) {
      crossAttentionDim = boxed(v);
      return this;
    }

    /** Sets the number of attention heads (diffusers' {@code attention_head_dim}). */
    public Builder attentionHeads(int... v) {
      attentionHeads = boxed(v);
      return this;
    }

    /** Sets {@code transformer_layers_per_block}. */
    public Builder transformerLayersPerBlock(int... v) {
      transformerLayersPerBlock = boxed(v);
      return this;
    }

    /** Sets {@code norm_num_groups}. */
    public Builder normNumGroups(int v) {
      normNumGroups = v;
      return this;
    }

    /** Sets {@code norm_eps}. */
    public Builder normEps(float v) {
      normEps = v;
      return this;
    }

    /** Sets {@code flip_sin_to_cos}. */
    public Builder flipSinToCos(boolean v) {
      flipSinToCos = v;
      return this;
    }

    /** Sets {@code freq_shift}. */
    public Builder freqShift(float v) {
      freqShift = v;
      return this;
    }

    /** Sets {@code use_linear_projection}. */
    public Builder useLinearProjection(boolean v) {
      useLinearProjection = v;
      return this;
    }

    /** Sets {@code downsample_padding}. */
    public Builder downsamplePadding(int v) {
      downsamplePadding = v;
      return this;
    }

    /** Sets {@code mid_block_scale_factor}. */
    public Builder midBlockScaleFactor(float v) {
      midBlockScaleFactor = v;
      return this;
    }

    /** Sets {@code conv_in_kernel}. */
    public Builder convInKernel(int v) {
      convInKernel = v;
      return this;
    }

    /** Sets {@code conv_out_kernel}. */
    public Builder convOutKernel(int v) {
      convOutKernel = v;
      return this;
    }

    /** Sets {@code time_embedding_dim}; 0, the default, means 4 × the first level's channels. */
    public Builder timeEmbeddingDim(int v) {
      timeEmbeddingDim = v;
      return this;
    }

    /** Returns the validated configuration. */
    public UNetConfig build() {
      int levels = blockOutChannels.size();
      return new UNetConfig(
          sampleSize,
          inChannels,
          outChannels,
          blockOutChannels,
          perLevel(layersPerBlock, levels),
          downBlockTypes,
          upBlockTypes,
          perLevel(crossAttentionDim, levels),
          perLevel(attentionHeads, levels),
          perLevel(transformerLayersPerBlock, levels),
          normNumGroups,
          normEps,
          flipSinToCos,
          freqShift,
          useLinearProjection,
          downsamplePadding,
          midBlockScaleFactor,
          convInKernel,
          convOutKernel,
          timeEmbeddingDim == 0 && levels > 0 ? 4 * blockOutChannels.get(0) : timeEmbeddingDim);
    }

    private static List<Integer> perLevel(List<Integer> values, int levels) {
      return values.size() == 1 ? Collections.nCopies(levels, values.get(0)) : values;
    }

    private static List<Integer> boxed(int[] v) {
      List<Integer> out = new ArrayList<>();
      Arrays.stream(v).forEach(out::add);
      return out;
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void sameLength(String key, List<?> values, int levels) {
    require(
        values.size() == levels,
        key
            + " "
            + values
            + " must have one entry per level of block_out_channels ("
            + levels
            + ")");
  }
}
