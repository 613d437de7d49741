package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import io.diffii.io.ConfigJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CLIP's image preprocessing, as transformers' {@code CLIPImageProcessor} does it: {@link
 * ResizeCrop} (the shorter side to {@code shortestEdge}, the centred {@code cropSize} × {@code
 * cropSize} square; PIL's antialiased bicubic, {@code resample=3}), then normalise each channel,
 * \((x − \mathrm{mean})/\mathrm{std}\). PIL also rounds to 8 bits between and after its two passes;
 * this does not, so values can differ from transformers' by about 1/255 before normalisation. An
 * image already at the target size passes through unchanged.
 *
 * @param shortestEdge side the shorter image side is resized to
 * @param cropSize side of the square centre crop, at most {@code shortestEdge}
 * @param mean per-channel mean subtracted after cropping
 * @param std per-channel standard deviation divided by
 */
public record ClipImageProcessor(int shortestEdge, int cropSize, float[] mean, float[] std) {

  /** OpenAI CLIP's channel means (RGB). */
  public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};

  /** OpenAI CLIP's channel standard deviations (RGB). */
  public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  /** Validates the sizes and statistics. */
  public ClipImageProcessor {
    if (shortestEdge <= 0 || cropSize <= 0 || cropSize > shortestEdge) {
      throw new IllegalArgumentException(
          "need 0 < crop_size <= shortest_edge, got " + cropSize + " and " + shortestEdge);
    }
    if (mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException("image_mean and image_std need 3 values each");
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("image_std must be positive, got " + s);
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** Returns CLIP's processor for square inputs of {@code imageSize}: resize, crop, CLIP stats. */
  public static ClipImageProcessor clip(int imageSize) {
    return new ClipImageProcessor(imageSize, imageSize, CLIP_MEAN, CLIP_STD);
  }

  /**
   * Reads {@code preprocessor_config.json} from a model folder, or, when the folder has none,
   * returns {@link #clip(int)} of {@code imageSize}. Only bicubic resampling (3) is supported.
   */
  public static ClipImageProcessor read(Path dir, int imageSize) {
    Path file = dir.resolve("preprocessor_config.json");
    if (!Files.isRegularFile(file)) {
      return clip(imageSize);
    }
    ConfigJson json = ConfigJson.read(file);
    if (json.integer("resample", 3) != 3) {
      throw json.error("resample", "is not 3 (bicubic), the only interpolation implemented");
    }
    if (!json.bool("do_resize", true) || !json.bool("do_center_crop", true)) {
      throw json.error("do_resize", "and do_center_crop must be true (the only path implemented)");
    }
    int edge = side(json, "size", "shortest_edge", imageSize);
    int crop = side(json, "crop_size", "height", imageSize);
    return new ClipImageProcessor(
        edge, crop, triple(json, "image_mean", CLIP_MEAN), triple(json, "image_std", CLIP_STD));
  }

  private static int side(ConfigJson json, String key, String inner, int fallback) {
    JsonElement e = json.raw(key);
    if (e == null) {
      return fallback;
    }
    return e.isJsonObject()
        ? json.section(key).integer(inner, fallback)
        : json.integer(key, fallback);
  }

  private static float[] triple(ConfigJson json, String key, float[] fallback) {
    JsonElement e = json.raw(key);
    if (e == null) {
      return fallback;
    }
    if (!e.isJsonArray() || e.getAsJsonArray().size() != 3) {
      throw json.error(key, "must be a list of 3 numbers, got " + e);
    }
    float[] out = new float[3];
    for (int i = 0; i < 3; i++) {
      out[i] = e.getAsJsonArray().get(i).getAsFloat();
    }
    return out;
  }

  /** Returns this processor as transformers' {@code preprocessor_config.json} keys. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("crop_size", Map.of("height", cropSize, "width", cropSize));
    m.put("do_center_crop", true);
    m.put("do_convert_rgb", true);
    m.put("do_normalize", true);
    m.put("do_rescale", true);
    m.put("do_resize", true);
    m.put("image_mean", List.of(mean[0], mean[1], mean[2]));
    m.put("image_processor_type", "CLIPImageProcessor");
    m.put("image_std", List.of(std[0], std[1], std[2]));
    m.put("resample", 3);
    m.put("rescale_factor", 1 / 255.0);
    m.put("size", Map.of("shortest_edge", shortestEdge));
    return m;
  }

  /**
   * Returns the pixel values {@code [B, 3, crop, crop]} of images {@code [B, 3, H, W]} in [0, 1],
   * in the images' manager: {@link ResizeCrop} of {@code shortestEdge} and {@code cropSize}, then
   * the normalisation.
   */
  public NDArray apply(NDArray images) {
    NDArray x = new ResizeCrop(shortestEdge, cropSize).apply(images);
    NDManager m = images.getManager();
    NDArray mu = m.create(mean, new Shape(1, 3, 1, 1));
    NDArray sigma = m.create(std, new Shape(1, 3, 1, 1));
    return x.sub(mu).div(sigma);
  }
}
