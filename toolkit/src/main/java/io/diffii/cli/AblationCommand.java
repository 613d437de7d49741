package io.diffii.cli;

import io.diffii.classify.Backbone;
import io.diffii.classify.FineTune;
import io.diffii.embedded.Embedded;
import io.diffii.experiment.AblationExperiment;
import io.diffii.experiment.AblationResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diffii ablation}: Table 4 (Diff-II's components on and off) or Figure 7 (the split ratio
 * swept) on the embedded benchmark, with the synthetic sets' diversity and CLIP score beside
 * accuracy; resumes what an earlier run into the same folder finished (both share it: Table 4's
 * Diff-II row is Figure 7's s = 0.3). Prints the summary and the paths of the CSV files and chart.
 */
@Command(
    name = "ablation",
    description = {
      "Runs Table 4 (components of Diff-II on/off) or Figure 7 (split ratio s swept) on the"
          + " embedded default, with diversity (LPIPS) and CLIP score beside accuracy, resuming"
          + " what an earlier run into the same folder finished."
    },
    showDefaultValues = true,
    sortOptions = false)
final class AblationCommand implements Callable<Integer> {

  /** Which figure of the paper to run. */
  enum Sweep {
    /** Table 4: the components' rows. */
    TABLE4,
    /** Figure 7: Diff-II at each split ratio. */
    SPLIT_RATIO
  }

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Shows this help and exits.")
  boolean help;

  @Option(
      names = "--sweep",
      paramLabel = "NAME",
      defaultValue = "table4",
      description = "table4 (Table 4's rows) or split-ratio (Figure 7).")
  Sweep sweep;

  @Option(
      names = "--ratios",
      paramLabel = "S",
      split = ",",
      defaultValue = "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1",
      description = "Split ratios of --sweep split-ratio, comma-separated, each in [0, 1].")
  List<Double> ratios;

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
      defaultValue = "runs/ablation",
      description = "Output folder.")
  Path out;

  @Mixin TrialOptions trial;

  @Spec CommandSpec spec;

  private final Main.Job<AblationCommand> job;

  /** The command that runs the ablation. */
  AblationCommand() {
    this(AblationCommand::run);
  }

  /** The command with another job (tests pass a stub). */
  AblationCommand(Main.Job<AblationCommand> job) {
    this.job = job;
  }

  /** Checks the values picocli cannot, then runs the job. */
  @Override
  public Integer call() throws Exception {
    Main.requirePositive(spec, "--shots", List.of(shots));
    Main.requirePositive(spec, "--trials", List.of(trials));
    Main.requirePositive(spec, "--epochs", List.of(epochs));
    trial.check(spec);
    Main.requireFraction(spec, "--ratios", ratios);
    return job.run(this);
  }

  /** The ablation with the parsed options. */
  static int run(AblationCommand o) {
    AblationResult r =
        Embedded.ablation()
            .variants(
                o.sweep == Sweep.TABLE4
                    ? AblationExperiment.table4()
                    : AblationExperiment.splitRatios(
                        o.ratios.stream().mapToDouble(Double::doubleValue).toArray()))
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
    System.out.println(r.stages().printAll());
    String name = o.sweep == Sweep.TABLE4 ? "table4" : "split-ratio";
    System.out.println("files: " + r.write(o.out, name));
    return 0;
  }
}
