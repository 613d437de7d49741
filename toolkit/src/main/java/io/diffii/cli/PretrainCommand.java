package io.diffii.cli;

import com.google.gson.GsonBuilder;
import io.diffii.embedded.EmbeddedPretraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code diffii pretrain [--work runs/pretrain] [--out data/models/fashion-scenes-sd]}: trains the
 * embedded model with the shipped recipe, resuming from the checkpoints in the work folder, and
 * writes the model folder and {@code report.json} (measured figures).
 */
final class PretrainCommand {

  private PretrainCommand() {}

  static int run(Options options) throws Exception {
    Path work = options.path("work", "runs/pretrain");
    Path out = options.path("out", "data/models/fashion-scenes-sd");
    Map<String, Object> report = EmbeddedPretraining.run(EmbeddedPretraining.Recipe.shipped(), work, out);
    String json = new GsonBuilder().setPrettyPrinting().create().toJson(report);
    Files.writeString(work.resolve("report.json"), json + "\n");
    System.out.println(json);
    System.out.println("model folder: " + out.toAbsolutePath());
    return 0;
  }
}
