package io.diffii.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A diffusers {@code config.json} being read: typed getters with the library's defaults for missing
 * keys, and errors that name the file and the key.
 */
public final class ConfigJson {

  private final Path path;
  private final String prefix;
  private final JsonObject json;
  private final Set<String> read = new HashSet<>();

  private ConfigJson(Path path, String prefix, JsonObject json) {
    this.path = path;
    this.prefix = prefix;
    this.json = json;
  }

  /** Reads {@code path}, which must hold a JSON object. */
  public static ConfigJson read(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("config file not found: " + path);
    }
    try (Reader reader = Files.newBufferedReader(path)) {
      JsonElement root = JsonParser.parseReader(reader);
      if (!root.isJsonObject()) {
        throw new IllegalArgumentException(path + ": expected a JSON object");
      }
      return new ConfigJson(path, "", root.getAsJsonObject());
    } catch (IOException | JsonParseException e) {
      throw new IllegalArgumentException(path + ": cannot read JSON: " + e.getMessage(), e);
    }
  }

  /** Returns the file this config came from. */
  public Path path() {
    return path;
  }

  /** Returns a new error naming the file and key. */
  public IllegalArgumentException error(String key, String message) {
    return new IllegalArgumentException(path + ": key '" + prefix + key + "' " + message);
  }

  /**
   * Returns the nested object under {@code key} (a transformers {@code text_config}, say) as a
   * config whose errors name {@code key.inner}; an empty one when the key is absent or null.
   */
  public ConfigJson section(String key) {
    JsonElement e = get(key);
    if (e != null && !e.isJsonObject()) {
      throw error(key, "must be a JSON object, got " + e);
    }
    return new ConfigJson(
        path, prefix + key + ".", e == null ? new JsonObject() : e.getAsJsonObject());
  }

  private JsonElement get(String key) {
    read.add(key);
    JsonElement e = json.get(key);
    return e == null || e.isJsonNull() ? null : e;
  }

  /** Returns an integer value, or {@code fallback} when the key is absent or null. */
  public int integer(String key, int fallback) {
    JsonElement e = get(key);
    return e == null ? fallback : toInt(key, e);
  }

  /** Returns a number as float, or {@code fallback} when absent or null. */
  public float number(String key, float fallback) {
    JsonElement e = get(key);
    if (e == null) {
      return fallback;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw error(key, "must be a number, got " + e);
    }
    return e.getAsFloat();
  }

  /** Returns a boolean, or {@code fallback} when absent or null. */
  public boolean bool(String key, boolean fallback) {
    JsonElement e = get(key);
    if (e == null) {
      return fallback;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw error(key, "must be true or false, got " + e);
    }
    return e.getAsBoolean();
  }

  /** Returns a string, or {@code fallback} when absent or null. */
  public String string(String key, String fallback) {
    JsonElement e = get(key);
    if (e == null) {
      return fallback;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw error(key, "must be a string, got " + e);
    }
    return e.getAsString();
  }

  /** Returns a list of integers, or {@code fallback} when absent or null. */
  public List<Integer> integers(String key, List<Integer> fallback) {
    JsonElement e = get(key);
    if (e == null) {
      return fallback;
    }
    if (!e.isJsonArray()) {
      throw error(key, "must be a list of integers, got " + e);
    }
    List<Integer> out = new ArrayList<>();
    for (JsonElement item : e.getAsJsonArray()) {
      out.add(toInt(key, item));
    }
    return out;
  }

  /**
   * Returns an integer-or-list key as one integer per block: a single value is repeated {@code
   * blocks} times, a list must have {@code blocks} entries. Absent or null gives {@code fallback}
   * (which may be null).
   */
  public List<Integer> perBlock(String key, int blocks, List<Integer> fallback) {
    JsonElement e = get(key);
    if (e == null) {
      return fallback;
    }
    if (e.isJsonArray()) {
      List<Integer> list = integers(key, null);
      if (list.size() != blocks) {
        throw error(key, "must have one entry per block (" + blocks + "), got " + e);
      }
      return list;
    }
    return java.util.Collections.nCopies(blocks, toInt(key, e));
  }

  /** Returns a list of strings, or {@code fallback} when absent or null. */
  public List<String> strings(String key, List<String> fallback) {
    JsonElement e = get(key);
    if (e == null) {
      return fallback;
    }
    if (!e.isJsonArray()) {
      throw error(key, "must be a list of strings, got " + e);
    }
    List<String> out = new ArrayList<>();
    JsonArray array = e.getAsJsonArray();
    for (JsonElement item : array) {
      if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
        throw error(key, "must be a list of strings, got " + e);
      }
      out.add(item.getAsString());
    }
    return out;
  }

  /** Rejects a key that is present with a non-null value. */
  public void requireAbsent(String key, String why) {
    JsonElement e = get(key);
    if (e != null) {
      throw error(key, "is " + e + "; only null is supported (" + why + ")");
    }
  }

  /**
   * Rejects a key whose value differs from {@code supported}, a boolean, number or string; an
   * absent or null key counts as the supported value.
   */
  public void requireValue(String key, Object supported, String why) {
    JsonElement e = get(key);
    if (e == null) {
      return;
    }
    Object value;
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
      value = e.getAsBoolean();
    } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      value = e.getAsDouble();
    } else if (e.isJsonPrimitive()) {
      value = e.getAsString();
    } else {
      value = e;
    }
    Object expected = supported instanceof Number n ? n.doubleValue() : supported;
    if (!Objects.equals(value, expected)) {
      throw error(key, "is " + e + "; only " + supported + " is supported (" + why + ")");
    }
  }

  /** Returns the JSON element of a key, or null when absent or null. */
  public JsonElement raw(String key) {
    return get(key);
  }

  /** Returns whether the key is present with the value null. */
  public boolean isExplicitNull(String key) {
    read.add(key);
    return json.has(key) && json.get(key).isJsonNull();
  }

  /**
   * Rejects a key that no getter or check has read and {@code ignored} does not list, since a
   * misspelt option would otherwise fall back to its default without a word. {@code ignored} names
   * the options of {@code owner} that change nothing here; keys starting with "_" (metadata such as
   * {@code _diffusers_version}) always pass. Call it after reading every key.
   */
  public void rejectUnknown(String owner, Collection<String> ignored) {
    Set<String> known = new TreeSet<>(read);
    known.addAll(ignored);
    for (String key : json.keySet()) {
      if (!key.startsWith("_") && !known.contains(key)) {
        throw error(
            key,
            "is not an option of "
                + owner
                + " (misspelt, or newer than this loader); its options: "
                + String.join(", ", known));
      }
    }
  }

  private int toInt(String key, JsonElement e) {
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw error(key, "must be an integer, got " + e);
    }
    double d = e.getAsDouble();
    if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
      throw error(key, "must be an integer, got " + e);
    }
    return (int) d;
  }

  /** Writes a config map as pretty-printed JSON, the form diffusers' config files take. */
  public static String write(java.util.Map<String, Object> values) {
    return new com.google.gson.GsonBuilder()
            .setPrettyPrinting()
            .serializeNulls()
            .create()
            .toJson(values)
        + "\n";
  }

  /**
   * Returns the single value when every level has the same one, as diffusers writes it, else the
   * list.
   */
  public static Object perBlockValue(java.util.List<Integer> values) {
    return values.stream().distinct().count() == 1 ? values.get(0) : values;
  }
}
