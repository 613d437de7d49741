package io.diffii.cli;

import com.google.gson.GsonBuilder;
import io.diffii.embedded.BackbonePretraining;
import io.diffii.embedded.EmbeddedEvaluation;
import io.diffii.embedded.EmbeddedPretraining;
import io.diffii.embedded.SceneCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code diffii pretrain}: trains the embedded model and the backbones with the shipped recipe,
 * resuming from the checkpoints in the work folder, evaluates the result, and writes {@code
 * report.json} there and a README beside the model.
 */
@Command(
    name = "pretrain",
    description = {
      "Trains the embedded model and the backbones with the shipped recipe, resuming from the"
          + " checkpoints in the work folder, and evaluates them."
    },
    showDefaultValues = true,
    sortOptions = false)
final class PretrainCommand implements Callable<Integer> {

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Shows this help and exits.")
  boolean help;

  @Option(
      names = "--work",
      paramLabel = "DIR",
      defaultValue = "runs/pretrain",
      description = "Checkpoints, samples and report.json.")
  Path work;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "data/models",
      description = "Models folder: fashion-scenes-sd/ and backbones/.")
  Path models;

  @Option(
      names = "--skip-evaluation",
      description = "Trains only; writes no evaluation to the report.")
  boolean skipEvaluation;

  private final Main.Job<PretrainCommand> job;

  /** The command that pretrains. */
  PretrainCommand() {
    this(PretrainCommand::run);
  }

  /** The command with another job (tests pass a stub). */
  PretrainCommand(Main.Job<PretrainCommand> job) {
    this.job = job;
  }

  /** Runs the job. */
  @Override
  public Integer call() throws Exception {
    return job.run(this);
  }

  /** Pretraining with the parsed options. */
  static int run(PretrainCommand options) throws Exception {
    Path work = options.work;
    Path models = options.models;
    Path model = models.resolve("fashion-scenes-sd");
    EmbeddedPretraining.Recipe recipe = EmbeddedPretraining.Recipe.shipped();
    Map<String, Object> report = new LinkedHashMap<>(EmbeddedPretraining.run(recipe, work, model));
    SceneCorpus train = SceneCorpus.train(recipe.corpusSeed());
    SceneCorpus test = SceneCorpus.test(recipe.corpusSeed());
    report.putAll(BackbonePretraining.run(train, test, models.resolve("backbones"), 2));
    if (!options.skipEvaluation) {
      report.putAll(EmbeddedEvaluation.run(model, train, test, work.resolve("samples")));
    }
    String json = new GsonBuilder().setPrettyPrinting().create().toJson(report);
    Files.writeString(work.resolve("report.json"), json + "\n");
    Files.writeString(model.resolve("README.md"), modelCard(recipe, json));
    System.out.println(json);
    System.out.println("model folder: " + model.toAbsolutePath());
    return 0;
  }

  private static String modelCard(EmbeddedPretraining.Recipe recipe, String reportJson) {
    return "# fashion-scenes-sd\n\n"
        + "The embedded default of diffii: a tiny Stable Diffusion in the diffusers layout, trained by\n"
        + "`bin/pretrain` on the 60,000 Fashion-MNIST training items composed as 32×32 scenes on random\n"
        + "contexts, captioned \"a photo of a {coarse group} {context}\" (10 % empty, 10 % without context).\n"
        + "The fine classes never appear in a caption.\n\n"
        + "## Recipe\n\n```\n"
        + recipe
        + "\n```\n\n"
        + "## Measured (runs/pretrain/report.json)\n\n```json\n"
        + reportJson
        + "\n```\n";
  }
}
