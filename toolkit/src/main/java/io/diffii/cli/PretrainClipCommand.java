package io.diffii.cli;

import com.google.gson.GsonBuilder;
import io.diffii.embedded.ClipPretraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diffii pretrain-clip}: trains the embedded tiny CLIP with the shipped recipe, resuming
 * from the checkpoint in the work folder, measures its zero-shot accuracy and writes the model
 * folder with its model card, and {@code report.json} in the work folder.
 */
@Command(
    name = "pretrain-clip",
    description = {
      "Trains the embedded tiny CLIP (the CLIP score's and Real-Filter's model) on the Fashion"
          + " scenes, resuming from the checkpoint in the work folder, and measures its zero-shot"
          + " accuracy on the test scenes."
    },
    showDefaultValues = true,
    sortOptions = false)
final class PretrainClipCommand implements Callable<Integer> {

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Shows this help and exits.")
  boolean help;

  @Option(
      names = "--work",
      paramLabel = "DIR",
      defaultValue = "runs/pretrain-clip",
      description = "Checkpoint and report.json.")
  Path work;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "data/models/fashion-scenes-clip",
      description = "The CLIPModel folder written at the end.")
  Path out;

  @Option(
      names = "--stop-after",
      paramLabel = "STEP",
      description =
          "Stops after this step with a checkpoint, as an interruption would; rerun to continue.")
  Integer stopAfter;

  @Spec CommandSpec spec;

  private final Main.Job<PretrainClipCommand> job;

  /** The command that trains. */
  PretrainClipCommand() {
    this(PretrainClipCommand::run);
  }

  /** The command with another job (tests pass a stub). */
  PretrainClipCommand(Main.Job<PretrainClipCommand> job) {
    this.job = job;
  }

  /** Runs the job. */
  @Override
  public Integer call() throws Exception {
    if (stopAfter != null) {
      Main.requirePositive(spec, "--stop-after", List.of(stopAfter));
    }
    return job.run(this);
  }

  /** The training with the parsed options. */
  static int run(PretrainClipCommand options) throws Exception {
    ClipPretraining.Settings settings = ClipPretraining.Settings.shipped();
    long until = options.stopAfter == null ? settings.steps() : options.stopAfter;
    Map<String, Object> report = ClipPretraining.run(settings, options.work, options.out, until);
    String json = new GsonBuilder().setPrettyPrinting().create().toJson(report);
    Files.writeString(options.work.resolve("report.json"), json + "\n");
    System.out.println(json);
    if (((Number) report.get("steps_reached")).longValue() < settings.steps()) {
      System.out.println(
          "stopped at step "
              + report.get("steps_reached")
              + " of "
              + settings.steps()
              + "; rerun the same command to continue");
    } else {
      System.out.println("model folder: " + options.out.toAbsolutePath());
    }
    return 0;
  }
}
