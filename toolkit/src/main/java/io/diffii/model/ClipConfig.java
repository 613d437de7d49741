package io.diffii.model;

import io.diffii.io.ConfigJson;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration of transformers' {@code CLIPModel}: a text tower, a vision tower, the width of
 * the shared embedding space and the initial log inverse temperature.
 *
 * @param text the {@code text_config} section
 * @param vision the {@code vision_config} section
 * @param projectionDim width of the joint embedding ({@code projection_dim})
 * @param logitScaleInitValue initial {@code logit_scale}, ln(1/0.07) = 2.6592 in CLIP
 */
public record ClipConfig(
    ClipTextConfig text, ClipVisionConfig vision, int projectionDim, float logitScaleInitValue) {

  /** Validates the projection width. */
  public ClipConfig {
    if (projectionDim <= 0) {
      throw new IllegalArgumentException("projection_dim must be positive, got " + projectionDim);
    }
  }

  /** Returns a copy with another text tower. */
  public ClipConfig withText(ClipTextConfig other) {
    return new ClipConfig(other, vision, projectionDim, logitScaleInitValue);
  }

  /** Reads a {@code CLIPModel} {@code config.json}; missing keys take transformers' defaults. */
  public static ClipConfig fromJson(Path file) {
    ConfigJson json = ConfigJson.read(file);
    if (json.raw("text_config") == null || json.raw("vision_config") == null) {
      throw new IllegalArgumentException(
          file + ": not a CLIPModel config (needs text_config and vision_config)");
    }
    return new ClipConfig(
        ClipTextConfig.from(json.section("text_config")),
        ClipVisionConfig.from(json.section("vision_config")),
        json.integer("projection_dim", 512),
        json.number("logit_scale_init_value", 2.6592f));
  }

  /** Returns this config as the {@code config.json} text that {@link #fromJson} reads back. */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architectures", List.of("CLIPModel"));
    m.put("model_type", "clip");
    m.put("initializer_factor", 1.0);
    m.put("logit_scale_init_value", logitScaleInitValue);
    m.put("projection_dim", projectionDim);
    Map<String, Object> t = new LinkedHashMap<>(text.toMap());
    t.remove("architectures");
    t.put("projection_dim", projectionDim);
    m.put("text_config", t);
    Map<String, Object> v = new LinkedHashMap<>(vision.toMap());
    v.remove("architectures");
    v.put("projection_dim", projectionDim);
    m.put("vision_config", v);
    m.put("torch_dtype", "float32");
    return ConfigJson.write(m);
  }
}
