package io.diffii.schedule;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The configuration of a DDIM scheduler, with the keys and meaning of diffusers' {@code
 * DDIMScheduler} config ({@code scheduler/scheduler_config.json}).
 *
 * <p>Only the epsilon prediction type is supported (Stable Diffusion 1.x and the embedded model);
 * thresholding, zero-terminal-SNR rescaling and trained betas are rejected when read.
 *
 * @param numTrainTimesteps T, the number of training timesteps ({@code num_train_timesteps})
 * @param betaStart β at t = 0 ({@code beta_start})
 * @param betaEnd β at t = T − 1 ({@code beta_end})
 * @param betaSchedule how β runs from start to end ({@code beta_schedule})
 * @param clipSample whether the predicted x0 is clamped to ±{@code clipSampleRange}
 * @param clipSampleRange the clamp bound for {@code clipSample} ({@code clip_sample_range})
 * @param setAlphaToOne whether ᾱ beyond the ends of the table is 1 rather than ᾱ_0 ({@code
 *     set_alpha_to_one}): the sampler's final step and the inverse sampler's first step
 * @param stepsOffset added to every "leading" timestep ({@code steps_offset})
 * @param predictionType what the model predicts; only {@code "epsilon"}
 * @param timestepSpacing how inference timesteps are chosen ({@code timestep_spacing})
 */
public record DdimConfig(
    int numTrainTimesteps,
    double betaStart,
    double betaEnd,
    BetaSchedule betaSchedule,
    boolean clipSample,
    double clipSampleRange,
    boolean setAlphaToOne,
    int stepsOffset,
    String predictionType,
    TimestepSpacing timestepSpacing) {

  /**
   * How β_t runs from {@code betaStart} to {@code betaEnd} over the training timesteps; the config
   * name is the constant's name in lower case.
   */
  public enum BetaSchedule {
    /** β_t evenly spaced ({@code "linear"}). */
    LINEAR,
    /** √β_t evenly spaced, as Stable Diffusion ({@code "scaled_linear"}). */
    SCALED_LINEAR
  }

  /**
   * How the inference timesteps are placed (Lin et al. 2023, Table 2, as diffusers names it); the
   * config name is the constant's name in lower case.
   */
  public enum TimestepSpacing {
    /** Multiples of ⌊T / n⌋ counted from 0, plus {@code steps_offset} ({@code "leading"}). */
    LEADING,
    /** Multiples of T / n counted back from T, rounded, minus one ({@code "trailing"}). */
    TRAILING,
    /** n values evenly spaced over [0, T − 1], rounded ({@code "linspace"}). */
    LINSPACE
  }

  /** Validates every field. */
  public DdimConfig {
    if (numTrainTimesteps < 2) {
      throw new IllegalArgumentException(
          "num_train_timesteps must be at least 2, got " + numTrainTimesteps);
    }
    if (!(betaStart > 0 && betaStart <= betaEnd && betaEnd < 1)) {
      throw new IllegalArgumentException(
          "need 0 < beta_start <= beta_end < 1, got beta_start "
              + betaStart
              + ", beta_end "
              + betaEnd);
    }
    if (betaSchedule == null || timestepSpacing == null) {
      throw new IllegalArgumentException("beta_schedule and timestep_spacing must be given");
    }
    if (!(clipSampleRange > 0)) {
      throw new IllegalArgumentException(
          "clip_sample_range must be positive, got " + clipSampleRange);
    }
    if (stepsOffset < 0) {
      throw new IllegalArgumentException("steps_offset must be >= 0, got " + stepsOffset);
    }
    if (!"epsilon".equals(predictionType)) {
      throw new IllegalArgumentException(
          "prediction_type '" + predictionType + "' is not supported; only 'epsilon' is");
    }
  }

  /**
   * Returns Stable Diffusion 1.x's scheduler settings: T = 1000, β from 0.00085 to 0.012
   * scaled-linear, no clipping, {@code set_alpha_to_one} false, {@code steps_offset} 1, epsilon
   * prediction, leading spacing.
   */
  public static DdimConfig stableDiffusion() {
    return new DdimConfig(
        1000,
        0.00085,
        0.012,
        BetaSchedule.SCALED_LINEAR,
        false,
        1.0,
        false,
        1,
        "epsilon",
        TimestepSpacing.LEADING);
  }

  /**
   * Reads a diffusers scheduler config, e.g. {@code <model>/scheduler/scheduler_config.json}.
   *
   * <p>As diffusers' {@code DDIMScheduler.from_config} does, a missing key takes {@code
   * DDIMScheduler}'s default and keys of other schedulers ({@code skip_prk_steps}, {@code
   * _class_name}) are ignored, so a {@code PNDMScheduler} config of a Stable Diffusion folder reads
   * too.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the file and key when a value is malformed or asks for
   *     an unsupported feature
   */
  public static DdimConfig fromJson(Path file) throws IOException {
    return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
  }

  /**
   * Reads a scheduler config from the text of a {@code scheduler_config.json}, as {@link
   * #fromJson(Path)} does; {@code source} names it in error messages.
   */
  public static DdimConfig fromJson(String text, String source) {
    JsonObject json;
    try {
      JsonElement root = JsonParser.parseString(text);
      if (!root.isJsonObject()) {
        throw new IllegalArgumentException(source + ": expected a JSON object");
      }
      json = root.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(source + ": not valid JSON: " + e.getMessage(), e);
    }
    try {
      rejectIfSet(json, "trained_betas", "trained betas are not supported");
      rejectIfTrue(json, "thresholding", "dynamic thresholding is not supported");
      rejectIfTrue(json, "rescale_betas_zero_snr", "zero-terminal-SNR rescaling is not supported");
      return new DdimConfig(
          intValue(json, "num_train_timesteps", 1000),
          doubleValue(json, "beta_start", 0.0001),
          doubleValue(json, "beta_end", 0.02),
          named(
              BetaSchedule.values(), stringValue(json, "beta_schedule", "linear"), "beta_schedule"),
          booleanValue(json, "clip_sample", true),
          doubleValue(json, "clip_sample_range", 1.0),
          booleanValue(json, "set_alpha_to_one", true),
          intValue(json, "steps_offset", 0),
          stringValue(json, "prediction_type", "epsilon"),
          named(
              TimestepSpacing.values(),
              stringValue(json, "timestep_spacing", "leading"),
              "timestep_spacing"));
    } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  /**
   * Returns this config as diffusers writes a {@code DDIMScheduler}'s {@code
   * scheduler_config.json}.
   */
  public String toJson() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("_class_name", "DDIMScheduler");
    map.put("beta_end", betaEnd);
    map.put("beta_schedule", configName(betaSchedule));
    map.put("beta_start", betaStart);
    map.put("clip_sample", clipSample);
    map.put("clip_sample_range", clipSampleRange);
    map.put("num_train_timesteps", numTrainTimesteps);
    map.put("prediction_type", predictionType);
    map.put("rescale_betas_zero_snr", false);
    map.put("set_alpha_to_one", setAlphaToOne);
    map.put("steps_offset", stepsOffset);
    map.put("thresholding", false);
    map.put("timestep_spacing", configName(timestepSpacing));
    map.put("trained_betas", null);
    Gson gson = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
    return gson.toJson(map);
  }

  private static void rejectIfSet(JsonObject json, String key, String why) {
    if (json.has(key) && !json.get(key).isJsonNull()) {
      throw new IllegalArgumentException(key + ": " + why);
    }
  }

  private static void rejectIfTrue(JsonObject json, String key, String why) {
    if (booleanValue(json, key, false)) {
      throw new IllegalArgumentException(key + ": " + why);
    }
  }

  private static JsonElement value(JsonObject json, String key) {
    JsonElement e = json.get(key);
    if (e != null && !e.isJsonNull() && !e.isJsonPrimitive()) {
      throw new IllegalArgumentException(key + ": expected a single value, got " + e);
    }
    return e == null || e.isJsonNull() ? null : e;
  }

  private static int intValue(JsonObject json, String key, int fallback) {
    JsonElement e = value(json, key);
    if (e == null) {
      return fallback;
    }
    double d = number(e, key);
    if (d != Math.rint(d)) {
      throw new IllegalArgumentException(key + ": expected an integer, got " + e);
    }
    return (int) d;
  }

  private static double doubleValue(JsonObject json, String key, double fallback) {
    JsonElement e = value(json, key);
    return e == null ? fallback : number(e, key);
  }

  private static double number(JsonElement e, String key) {
    if (!e.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException(key + ": expected a number, got " + e);
    }
    return e.getAsDouble();
  }

  private static boolean booleanValue(JsonObject json, String key, boolean fallback) {
    JsonElement e = value(json, key);
    if (e == null) {
      return fallback;
    }
    if (!e.getAsJsonPrimitive().isBoolean()) {
      throw new IllegalArgumentException(key + ": expected true or false, got " + e);
    }
    return e.getAsBoolean();
  }

  private static String stringValue(JsonObject json, String key, String fallback) {
    JsonElement e = value(json, key);
    if (e == null) {
      return fallback;
    }
    if (!e.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException(key + ": expected a string, got " + e);
    }
    return e.getAsString();
  }

  private static String configName(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private static <E extends Enum<E>> E named(E[] values, String name, String key) {
    for (E v : values) {
      if (configName(v).equals(name)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        key
            + ": '"
            + name
            + "' is not supported; expected one of "
            + Arrays.stream(values).map(DdimConfig::configName).toList());
  }
}
