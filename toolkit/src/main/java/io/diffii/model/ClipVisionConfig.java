package io.diffii.model;

import io.diffii.io.ConfigJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration of transformers' {@code CLIPVisionModel}, as the {@code vision_config} section
 * of a {@code CLIPModel}'s {@code config.json} holds it.
 *
 * @param hiddenSize width of the token states
 * @param intermediateSize width of the feed-forward layer
 * @param numHiddenLayers number of encoder layers
 * @param numAttentionHeads heads per self-attention
 * @param imageSize side of the square input image in pixels
 * @param patchSize side of a square patch; {@code imageSize} must be a multiple of it
 * @param numChannels input channels (3)
 * @param hiddenAct {@code quick_gelu} (CLIP) or {@code gelu}
 * @param layerNormEps epsilon of every layer norm
 */
public record ClipVisionConfig(
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int imageSize,
    int patchSize,
    int numChannels,
    String hiddenAct,
    float layerNormEps) {

  /** Validates the values; messages use transformers' key names. */
  public ClipVisionConfig {
    if (hiddenSize <= 0
        || intermediateSize <= 0
        || numHiddenLayers <= 0
        || numAttentionHeads <= 0
        || imageSize <= 0
        || patchSize <= 0
        || numChannels <= 0) {
      throw new IllegalArgumentException("CLIP vision sizes must be positive: " + this);
    }
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException(
          "hidden_size " + hiddenSize + " does not split into " + numAttentionHeads + " heads");
    }
    if (imageSize % patchSize != 0) {
      throw new IllegalArgumentException(
          "image_size " + imageSize + " is not a multiple of patch_size " + patchSize);
    }
    if (!hiddenAct.equals("quick_gelu") && !hiddenAct.equals("gelu")) {
      throw new IllegalArgumentException("hidden_act must be quick_gelu or gelu, got " + hiddenAct);
    }
  }

  /** Returns the number of patches, \((\mathrm{image\_size}/\mathrm{patch\_size})^2\). */
  public int numPatches() {
    int side = imageSize / patchSize;
    return side * side;
  }

  /**
   * Reads the keys of a {@code CLIPVisionConfig} from {@code json} (the {@code vision_config}
   * section of a {@code CLIPModel}'s config); missing keys take transformers' defaults (ViT-B/32).
   */
  public static ClipVisionConfig from(ConfigJson json) {
    String act = json.string("hidden_act", "quick_gelu");
    if (!act.equals("quick_gelu") && !act.equals("gelu")) {
      throw json.error("hidden_act", "is '" + act + "'; quick_gelu and gelu are supported");
    }
    try {
      return new ClipVisionConfig(
          json.integer("hidden_size", 768),
          json.integer("intermediate_size", 3072),
          json.integer("num_hidden_layers", 12),
          json.integer("num_attention_heads", 12),
          json.integer("image_size", 224),
          json.integer("patch_size", 32),
          json.integer("num_channels", 3),
          act,
          json.number("layer_norm_eps", 1e-5f));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(json.path() + ": " + e.getMessage(), e);
    }
  }

  /** Returns the keys of this config as transformers writes them in {@code vision_config}. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", List.of("CLIPVisionModel"));
    m.put("model_type", "clip_vision_model");
    m.put("hidden_act", hiddenAct);
    m.put("hidden_size", hiddenSize);
    m.put("image_size", imageSize);
    m.put("intermediate_size", intermediateSize);
    m.put("layer_norm_eps", layerNormEps);
    m.put("num_attention_heads", numAttentionHeads);
    m.put("num_channels", numChannels);
    m.put("num_hidden_layers", numHiddenLayers);
    m.put("patch_size", patchSize);
    return m;
  }
}
