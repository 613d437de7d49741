package io.diffii.model;

import io.diffii.io.ConfigJson;
import java.nio.file.Path;
import java.util.List;

/**
 * The configuration of an {@link AutoencoderKL}, from diffusers' {@code vae/config.json}. Every
 * level is a {@code DownEncoderBlock2D} on the way down and an {@code UpDecoderBlock2D} on the way
 * up; the spatial factor is 2^(levels − 1).
 *
 * @param inChannels image channels in
 * @param outChannels image channels out
 * @param blockOutChannels channels of each level
 * @param layersPerBlock residual blocks per encoder level (decoder levels have one more)
 * @param latentChannels latent channels
 * @param normNumGroups groups of every group norm
 * @param scalingFactor the factor pipelines multiply latents by (encode and decode do not)
 * @param midBlockAddAttention whether the mid blocks hold a spatial self-attention
 * @param useQuantConv whether {@code quant_conv} follows the encoder
 * @param usePostQuantConv whether {@code post_quant_conv} precedes the decoder
 */
public record VaeConfig(
    int inChannels,
    int outChannels,
    List<Integer> blockOutChannels,
    int layersPerBlock,
    int latentChannels,
    int normNumGroups,
    float scalingFactor,
    boolean midBlockAddAttention,
    boolean useQuantConv,
    boolean usePostQuantConv) {

  /** Validates the values; messages use diffusers' key names. */
  public VaeConfig {
    blockOutChannels = List.copyOf(blockOutChannels);
    if (blockOutChannels.isEmpty()) {
      throw new IllegalArgumentException("block_out_channels must not be empty");
    }
    if (inChannels <= 0 || outChannels <= 0 || latentChannels <= 0 || layersPerBlock <= 0) {
      throw new IllegalArgumentException(
          "in_channels, out_channels, latent_channels and layers_per_block must be positive");
    }
    if (normNumGroups <= 0) {
      throw new IllegalArgumentException("norm_num_groups must be positive, got " + normNumGroups);
    }
    for (int c : blockOutChannels) {
      if (c <= 0 || c % normNumGroups != 0) {
        throw new IllegalArgumentException(
            "block_out_channels "
                + blockOutChannels
                + " must be multiples of norm_num_groups "
                + normNumGroups);
      }
    }
    if (!(scalingFactor > 0)) {
      throw new IllegalArgumentException("scaling_factor must be positive, got " + scalingFactor);
    }
  }

  /**
   * Returns the spatial factor from image to latent side, 2^(levels − 1) (8 for Stable Diffusion
   * 1.x; diffusers' pipelines call it {@code vae_scale_factor}).
   */
  public int spatialFactor() {
    return 1 << (blockOutChannels.size() - 1);
  }

  /** Returns the Stable Diffusion 1.x VAE (83,653,863 parameters). */
  public static VaeConfig sd15() {
    return new VaeConfig(3, 3, List.of(128, 256, 512, 512), 2, 4, 32, 0.18215f, true, true, true);
  }

  /**
   * Returns the embedded model's small VAE: channels (32, 64, 64), one residual block per level,
   * 32×32×3 images to 8×8×4 latents. Its scaling factor is SD's until a trained model sets its own.
   */
  public static VaeConfig tiny() {
    return new VaeConfig(3, 3, List.of(32, 64, 64), 1, 4, 32, 0.18215f, true, true, true);
  }

  /**
   * Reads a diffusers {@code vae/config.json}. Missing keys take diffusers' defaults; values this
   * implementation does not build are rejected naming the file and the key.
   */
  public static VaeConfig fromJson(Path file) {
    ConfigJson json = ConfigJson.read(file);
    String className = json.string("_class_name", "AutoencoderKL");
    if (!className.equals("AutoencoderKL")) {
      throw json.error("_class_name", "is '" + className + "', expected 'AutoencoderKL'");
    }
    json.requireValue("act_fn", "silu", "Stable Diffusion VAEs use it");
    json.requireAbsent("shift_factor", "the pipelines here apply only scaling_factor");
    json.requireAbsent("latents_mean", "the pipelines here apply only scaling_factor");
    json.requireAbsent("latents_std", "the pipelines here apply only scaling_factor");
    List<Integer> channels = json.integers("block_out_channels", List.of(64));
    requireAll(json, "down_block_types", "DownEncoderBlock2D", channels.size());
    requireAll(json, "up_block_types", "UpDecoderBlock2D", channels.size());
    VaeConfig config;
    try {
      config =
          new VaeConfig(
              json.integer("in_channels", 3),
              json.integer("out_channels", 3),
              channels,
              json.integer("layers_per_block", 1),
              json.integer("latent_channels", 4),
              json.integer("norm_num_groups", 32),
              json.number("scaling_factor", 0.18215f),
              json.bool("mid_block_add_attention", true),
              json.bool("use_quant_conv", true),
              json.bool("use_post_quant_conv", true));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
    // sample_size is the training resolution and force_upcast a half-precision hint; neither
    // changes the network.
    json.rejectUnknown("diffusers' AutoencoderKL", List.of("sample_size", "force_upcast"));
    return config;
  }

  /**
   * Returns this config as a diffusers {@code vae/config.json} that {@link #fromJson} reads back.
   */
  public String toJson() {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("_class_name", "AutoencoderKL");
    m.put("_diffusers_version", "0.35.2");
    m.put("act_fn", "silu");
    m.put("block_out_channels", blockOutChannels);
    m.put(
        "down_block_types",
        java.util.Collections.nCopies(blockOutChannels.size(), "DownEncoderBlock2D"));
    m.put("in_channels", inChannels);
    m.put("latent_channels", latentChannels);
    m.put("layers_per_block", layersPerBlock);
    m.put("mid_block_add_attention", midBlockAddAttention);
    m.put("norm_num_groups", normNumGroups);
    m.put("out_channels", outChannels);
    m.put("sample_size", 32);
    m.put("scaling_factor", scalingFactor);
    m.put(
        "up_block_types",
        java.util.Collections.nCopies(blockOutChannels.size(), "UpDecoderBlock2D"));
    m.put("use_post_quant_conv", usePostQuantConv);
    m.put("use_quant_conv", useQuantConv);
    return ConfigJson.write(m);
  }

  /** Returns a copy with another latent scaling factor (measured on a trained model's data). */
  public VaeConfig withScalingFactor(float factor) {
    return new VaeConfig(
        inChannels,
        outChannels,
        blockOutChannels,
        layersPerBlock,
        latentChannels,
        normNumGroups,
        factor,
        midBlockAddAttention,
        useQuantConv,
        usePostQuantConv);
  }

  private static void requireAll(ConfigJson json, String key, String type, int levels) {
    List<String> types = json.strings(key, List.of(type));
    if (types.size() != levels || !types.stream().allMatch(type::equals)) {
      throw json.error(
          key,
          "is "
              + types
              + "; expected "
              + levels
              + " × '"
              + type
              + "', one per block_out_channels entry");
    }
  }
}
