package io.diffii.cli;

import io.diffii.classify.Backbone;
import io.diffii.classify.FineTune;
import io.diffii.embedded.Embedded;
import io.diffii.experiment.Method;
import io.diffii.experiment.OodResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diffii ood}: Table 3 (out-of-distribution) on the embedded benchmark: shots whose
 * backgrounds follow their class's habitat, a test set balanced over the four (class habitat,
 * background) groups; prints the table (each group, average, worst group, gain over Original) and
 * the paths of the CSVs and charts, resuming what an earlier run into the same folder finished.
 */
@Command(
    name = "ood",
    description = {
      "Runs the out-of-distribution table (Table 3) on the embedded default: accuracy in the four"
          + " (class habitat, background) groups, their average and the worst group, resuming what"
          + " an earlier run into the same folder finished."
    },
    showDefaultValues = true,
    sortOptions = false)
final class OodCommand implements Callable<Integer> {

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Shows this help and exits.")
  boolean help;

  @Option(
      names = "--methods",
      paramLabel = "METHOD",
      split = ",",
      defaultValue =
          "original,real-filter,real-guidance,real-mix,da-fusion,diff-aug,diff-mix,diff-ii",
      description = "The table's methods, comma-separated (any of few-shot's).")
  List<Method> methods;

  @Option(
      names = "--correlation",
      paramLabel = "C",
      defaultValue = "1.0",
      description =
          "The table's spurious correlation: the fraction of shots on their class's habitat.")
  double correlation;

  @Option(
      names = "--sweep",
      paramLabel = "C",
      split = ",",
      description =
          "Further correlations, comma-separated, each run with Original and Diff-II only"
              + " (e.g. 0.9; default: none).")
  List<Double> sweep = new ArrayList<>();

  @Option(
      names = "--shots",
      paramLabel = "K",
      defaultValue = "5",
      description = "Real images per class.")
  int shots;

  @Option(
      names = "--backbone",
      paramLabel = "NAME",
      defaultValue = "resnet",
      description = "Classifier backbone: resnet or vit.")
  Backbone backbone;

  @Option(names = "--trials", paramLabel = "N", defaultValue = "3", description = "Trials.")
  int trials;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      defaultValue = "128",
      description = "Fine-tuning epochs.")
  int epochs;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "runs/ood",
      description = "Output folder.")
  Path out;

  @Mixin TrialOptions trial;

  @Spec CommandSpec spec;

  private final Main.Job<OodCommand> job;

  /** The command that runs the experiment. */
  OodCommand() {
    this(OodCommand::run);
  }

  /** The command with another job (tests pass a stub). */
  OodCommand(Main.Job<OodCommand> job) {
    this.job = job;
  }

  /** Checks the values picocli cannot, then runs the job. */
  @Override
  public Integer call() throws Exception {
    Main.requireFraction(spec, "--correlation", List.of(correlation));
    Main.requireFraction(spec, "--sweep", sweep);
    Main.requirePositive(spec, "--shots", List.of(shots));
    Main.requirePositive(spec, "--trials", List.of(trials));
    Main.requirePositive(spec, "--epochs", List.of(epochs));
    trial.check(spec);
    return job.run(this);
  }

  /** The experiment with the parsed options. */
  static int run(OodCommand o) {
    OodResult r =
        Embedded.ood()
            .methods(o.methods.toArray(Method[]::new))
            .correlation(o.correlation)
            .sweep(o.sweep.stream().mapToDouble(Double::doubleValue).toArray())
            .shots(o.shots)
            .backbone(o.backbone)
            .trials(o.trials)
            .seed(o.trial.seed)
            .testLimit(o.trial.scored())
            .recipe(b -> FineTune.fewShotRecipe(b).withEpochs(o.epochs))
            .diffII(d -> d.withConcept(d.concept().withSteps(o.trial.conceptSteps)))
            .out(o.out)
            .run();
    System.out.println(r);
    System.out.println(r.result().stages().printAll());
    System.out.println("files: " + r.write(o.out, "ood"));
    return 0;
  }
}
