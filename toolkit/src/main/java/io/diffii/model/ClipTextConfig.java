package io.diffii.model;

import io.diffii.io.ConfigJson;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration of transformers' {@code CLIPTextModel}, read from {@code
 * text_encoder/config.json}.
 *
 * @param hiddenSize width of the token states
 * @param intermediateSize width of the feed-forward layer
 * @param numHiddenLayers number of encoder layers
 * @param numAttentionHeads heads per self-attention
 * @param maxPositionEmbeddings length of the position table (the longest prompt in tokens)
 * @param vocabSize rows of the token table
 * @param hiddenAct {@code quick_gelu} (CLIP, SD 1.x) or {@code gelu}
 * @param layerNormEps epsilon of every layer norm
 * @param bosTokenId id of the start token
 * @param eosTokenId id of the end token, whose state is the pooled output
 * @param padTokenId id of the padding token
 */
public record ClipTextConfig(
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int maxPositionEmbeddings,
    int vocabSize,
    String hiddenAct,
    float layerNormEps,
    int bosTokenId,
    int eosTokenId,
    int padTokenId) {

  /** Validates the values; messages use transformers' key names. */
  public ClipTextConfig {
    if (hiddenSize <= 0
        || intermediateSize <= 0
        || numHiddenLayers <= 0
        || numAttentionHeads <= 0
        || maxPositionEmbeddings <= 0
        || vocabSize <= 0) {
      throw new IllegalArgumentException("CLIP text sizes must be positive: " + this);
    }
    if (hiddenSize % numAttentionHeads != 0) {
      throw new IllegalArgumentException(
          "hidden_size " + hiddenSize + " does not split into " + numAttentionHeads + " heads");
    }
    if (!hiddenAct.equals("quick_gelu") && !hiddenAct.equals("gelu")) {
      throw new IllegalArgumentException("hidden_act must be quick_gelu or gelu, got " + hiddenAct);
    }
  }

  /**
   * Returns Stable Diffusion 1.x's text encoder (CLIP ViT-L/14's text tower, 123,060,480
   * parameters).
   */
  public static ClipTextConfig sd15() {
    return new ClipTextConfig(768, 3072, 12, 12, 77, 49408, "quick_gelu", 1e-5f, 0, 2, 1);
  }

  /**
   * Returns the embedded model's text encoder: width 128, 2 layers, 4 heads, 16 positions; the
   * vocabulary size is the tokenizer's ({@link #withVocabSize}).
   */
  public static ClipTextConfig tiny() {
    return new ClipTextConfig(128, 512, 2, 4, 16, 64, "quick_gelu", 1e-5f, 0, 1, 1);
  }

  /** Returns a copy with another vocabulary size. */
  public ClipTextConfig withVocabSize(int size) {
    return new ClipTextConfig(
        hiddenSize,
        intermediateSize,
        numHiddenLayers,
        numAttentionHeads,
        maxPositionEmbeddings,
        size,
        hiddenAct,
        layerNormEps,
        bosTokenId,
        eosTokenId,
        padTokenId);
  }

  /** Returns a copy with another position-table length. */
  public ClipTextConfig withMaxPositions(int positions) {
    return new ClipTextConfig(
        hiddenSize,
        intermediateSize,
        numHiddenLayers,
        numAttentionHeads,
        positions,
        vocabSize,
        hiddenAct,
        layerNormEps,
        bosTokenId,
        eosTokenId,
        padTokenId);
  }

  /** Returns a copy with other special-token ids (bos, eos, pad). */
  public ClipTextConfig withSpecialTokens(int bos, int eos, int pad) {
    return new ClipTextConfig(
        hiddenSize,
        intermediateSize,
        numHiddenLayers,
        numAttentionHeads,
        maxPositionEmbeddings,
        vocabSize,
        hiddenAct,
        layerNormEps,
        bos,
        eos,
        pad);
  }

  /** Returns the width of one attention head. */
  public int headDim() {
    return hiddenSize / numAttentionHeads;
  }

  /** Reads a transformers {@code text_encoder/config.json}; missing keys take CLIP's defaults. */
  public static ClipTextConfig fromJson(Path file) {
    return from(ConfigJson.read(file));
  }

  /**
   * Reads the keys of a {@code CLIPTextConfig} from {@code json} (a whole file, or the {@code
   * text_config} section of a {@code CLIPModel}'s); missing keys take CLIP's defaults.
   */
  public static ClipTextConfig from(ConfigJson json) {
    String act = json.string("hidden_act", "quick_gelu");
    if (!act.equals("quick_gelu") && !act.equals("gelu")) {
      throw json.error("hidden_act", "is '" + act + "'; quick_gelu and gelu are supported");
    }
    try {
      return new ClipTextConfig(
          json.integer("hidden_size", 512),
          json.integer("intermediate_size", 2048),
          json.integer("num_hidden_layers", 12),
          json.integer("num_attention_heads", 8),
          json.integer("max_position_embeddings", 77),
          json.integer("vocab_size", 49408),
          act,
          json.number("layer_norm_eps", 1e-5f),
          json.integer("bos_token_id", 49406),
          json.integer("eos_token_id", 49407),
          json.integer("pad_token_id", 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(json.path() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns this config as a transformers {@code config.json} that {@link #fromJson} reads back.
   */
  public String toJson() {
    return ConfigJson.write(toMap());
  }

  /** Returns the keys {@link #toJson} writes, in its order. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", java.util.List.of("CLIPTextModel"));
    m.put("model_type", "clip_text_model");
    m.put("bos_token_id", bosTokenId);
    m.put("eos_token_id", eosTokenId);
    m.put("pad_token_id", padTokenId);
    m.put("hidden_act", hiddenAct);
    m.put("hidden_size", hiddenSize);
    m.put("intermediate_size", intermediateSize);
    m.put("layer_norm_eps", layerNormEps);
    m.put("max_position_embeddings", maxPositionEmbeddings);
    m.put("num_attention_heads", numAttentionHeads);
    m.put("num_hidden_layers", numHiddenLayers);
    m.put("torch_dtype", "float32");
    m.put("vocab_size", vocabSize);
    return m;
  }
}
