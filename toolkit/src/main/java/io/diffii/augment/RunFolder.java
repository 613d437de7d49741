package io.diffii.augment;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.diffii.io.Digests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        if (!Files.readString(file).equals(json)) {
          throw new IllegalArgumentException(
              runDir
                  + " was made with other settings (see its "
                  + SETTINGS
                  + "); use another run folder.\nnow:\n"
                  + json);
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
      Files.createDirectories(runDir);
      Files.writeString(file, json);
      return hash;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
