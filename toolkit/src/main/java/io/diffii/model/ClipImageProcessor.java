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
 * CLIP's image preprocessing, as transformers' {@code CLIPImageProcessor} does it: resize so that
 * the shorter side is {@code shortestEdge} (the longer side becomes ⌊shortestEdge·long/short⌋),
 * centre-crop to {@code cropSize} × {@code cropSize} (top-left corner at ⌊(side − crop)/2⌋), then
 * normalise each channel, \((x − \mathrm{mean})/\mathrm{std}\).
 *
 * <p>Interpolation: PIL's bicubic filter ({@code resample=3}, Keys' cubic with a = −0.5), with
 * PIL's antialiasing (the filter widened by the scale factor when shrinking), applied separably as
 * two matrix products in float32, and the result clamped to [0, 1]. PIL also rounds to 8 bits
 * between and after its two passes; this does not, so values can differ from transformers' by about
 * 1/255 before normalisation. An image already at the target size passes through unchanged.
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
   * in the images' manager.
   */
  public NDArray apply(NDArray images) {
    Shape s = images.getShape();
    if (s.dimension() != 4 || s.get(1) != 3) {
      throw new IllegalArgumentException("images must be [B, 3, H, W] in [0, 1], got " + s);
    }
    int h = (int) s.get(2);
    int w = (int) s.get(3);
    int shortSide = Math.min(h, w);
    int longSide = Math.max(h, w);
    int newLong = (int) ((double) shortestEdge * longSide / shortSide);
    int newH = h <= w ? shortestEdge : newLong;
    int newW = h <= w ? newLong : shortestEdge;
    NDManager m = images.getManager();
    NDArray x = images;
    if (newH != h || newW != w) {
      NDArray rows = m.create(bicubicWeights(h, newH), new Shape(newH, h));
      NDArray cols = m.create(bicubicWeights(w, newW), new Shape(newW, w));
      x = rows.matMul(images).matMul(cols.transpose()).clip(0f, 1f);
    }
    int top = (newH - cropSize) / 2;
    int left = (newW - cropSize) / 2;
    x = x.get(":, :, {}:{}, {}:{}", top, top + cropSize, left, left + cropSize);
    NDArray mu = m.create(mean, new Shape(1, 3, 1, 1));
    NDArray sigma = m.create(std, new Shape(1, 3, 1, 1));
    return x.sub(mu).div(sigma);
  }

  /**
   * Returns the {@code [out, in]} matrix of PIL's bicubic resampling from {@code in} to {@code out}
   * samples (PIL's {@code precompute_coeffs}): output sample i is centred at (i + ½)·in/out, the
   * filter's support is widened by in/out when shrinking, and each row sums to one.
   */
  static float[] bicubicWeights(int in, int out) {
    double scale = (double) in / out;
    double filterScale = Math.max(scale, 1.0);
    double support = 2.0 * filterScale;
    float[] m = new float[out * in];
    for (int i = 0; i < out; i++) {
      double center = (i + 0.5) * scale;
      int from = Math.max((int) (center - support + 0.5), 0);
      int to = Math.min((int) (center + support + 0.5), in);
      double[] k = new double[to - from];
      double sum = 0;
      for (int j = from; j < to; j++) {
        k[j - from] = cubic((j - center + 0.5) / filterScale);
        sum += k[j - from];
      }
      for (int j = from; j < to; j++) {
        m[i * in + j] = (float) (k[j - from] / sum);
      }
    }
    return m;
  }

  /** Keys' cubic convolution kernel with a = −0.5 (PIL's bicubic). */
  private static double cubic(double x) {
    double a = -0.5;
    x = Math.abs(x);
    if (x < 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0;
  }
}
