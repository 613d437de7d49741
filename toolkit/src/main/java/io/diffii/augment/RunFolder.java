package io.diffii.augment;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.diffii.data.ImageDataset;
import io.diffii.io.AtomicFiles;
import io.diffii.io.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The guard of a generator's run folder: its {@code settings.json} holds everything that decided
 * the run, with their hash; a run into a folder made from anything else is refused, so no stage
 * ever resumes from another run's files.
 */
final class RunFolder {

  /** The run settings' file name, in the run folder. */
  static final String SETTINGS = "settings.json";

  private RunFolder() {}

  /**
   * Writes {@code settings} (plus their hash) to the folder and returns the hash, or checks that a
   * folder an earlier run left was made from the same ones; stage folders without settings are an
   * older run's and refused.
   */
  static String check(Path runDir, JsonObject settings, List<String> stages) {
    JsonObject s = settings.deepCopy();
    String hash = Digests.of(s.toString());
    s.addProperty("hash", hash);
    String json = new GsonBuilder().setPrettyPrinting().create().toJson(s) + "\n";
    Path file = runDir.resolve(SETTINGS);
    try {
      if (Files.isRegularFile(file)) {
        String saved = Files.readString(file);
        if (!saved.equals(json)) {
          throw new IllegalArgumentException(
              runDir
                  + " was made with other settings ("
                  + differences(saved, s)
                  + "); use another run folder");
        }
        return hash;
      }
      for (String stage : stages) {
        if (Files.exists(runDir.resolve(stage))) {
          throw new IllegalArgumentException(
              runDir
                  + " holds "
                  + stage
                  + "/ without "
                  + SETTINGS
                  + " (an older run's); use another run folder");
        }
      }
      AtomicFiles.writeString(file, "run settings", json);
      return hash;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Lists the values in which a saved settings file differs from {@code now}: "diff_ii.seed 3, now
   * 4", or the whole file's trouble when it is not JSON.
   */
  private static String differences(String saved, JsonObject now) {
    Map<String, String> before = new java.util.TreeMap<>();
    Map<String, String> after = new java.util.TreeMap<>();
    try {
      flatten("", com.google.gson.JsonParser.parseString(saved), before);
    } catch (com.google.gson.JsonParseException e) {
      return SETTINGS + " is not readable JSON";
    }
    flatten("", now, after);
    before.remove("hash");
    List<String> out = new ArrayList<>();
    java.util.Set<String> keys = new java.util.TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    for (String k : keys) {
      String was = before.getOrDefault(k, "absent");
      String is = after.getOrDefault(k, "absent");
      if (!was.equals(is)) {
        out.add(k + " " + abbreviate(was) + ", now " + abbreviate(is));
      }
    }
    return out.isEmpty() ? SETTINGS + " is formatted differently" : String.join("; ", out);
  }

  private static void flatten(
      String prefix, com.google.gson.JsonElement e, Map<String, String> out) {
    if (e.isJsonObject()) {
      e.getAsJsonObject()
          .entrySet()
          .forEach(
              x ->
                  flatten(
                      prefix.isEmpty() ? x.getKey() : prefix + "." + x.getKey(),
                      x.getValue(),
                      out));
    } else {
      out.put(prefix, e.toString());
    }
  }

  private static String abbreviate(String value) {
    return value.length() <= 60 ? value : value.substring(0, 57) + "...";
  }

  /**
   * Adds what identifies a training set to run settings: its class names, each class's metaclass
   * word, and a digest of its image ids and labels.
   */
  static void addTrainingSet(
      JsonObject settings, ImageDataset train, java.util.function.IntFunction<String> metaclass) {
    com.google.gson.JsonArray classes = new com.google.gson.JsonArray();
    com.google.gson.JsonArray words = new com.google.gson.JsonArray();
    for (int c = 0; c < train.classNames().size(); c++) {
      classes.add(train.classNames().get(c));
      words.add(metaclass.apply(c));
    }
    settings.add("classes", classes);
    settings.add("metaclass", words);
    settings.addProperty(
        "images",
        Digests.of(
            String.join(
                "|", train.samples().stream().map(x -> x.id() + ":" + x.label()).toList())));
  }
}
