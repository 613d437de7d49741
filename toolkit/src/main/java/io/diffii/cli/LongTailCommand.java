package io.diffii.cli;

import io.diffii.classify.Backbone;
import io.diffii.classify.FineTune;
import io.diffii.data.LongTail;
import io.diffii.embedded.Embedded;
import io.diffii.experiment.LongTailResult;
import io.diffii.experiment.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code diffii long-tail}: Table 2 on the embedded benchmark, resuming the rows an earlier run
 * into the same output folder measured with the same settings; prints the table (overall, many,
 * medium, few-shot accuracy, gain over CE) and the paths of the CSVs, charts and image grids.
 */
@Command(
    name = "long-tail",
    description = {
      "Runs the long-tail table (Table 2) on the embedded default, resuming what an earlier run"
          + " into the same folder finished."
    },
    showDefaultValues = true,
    sortOptions = false)
final class LongTailCommand implements Callable<Integer> {

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Shows this help and exits.")
  boolean help;

  @Option(
      names = "--if",
      paramLabel = "F",
      split = ",",
      defaultValue = "100,20,10",
      description = "Imbalance factors (largest class / smallest), comma-separated.")
  List<Double> factors;

  @Option(
      names = "--form",
      paramLabel = "FORM",
      defaultValue = "max",
      description =
          "Long-tail schedule: max (n_max·IF^(-i/(C-1)), smallest class n_max/IF) or mean (the"
              + " comparison code's n̄·IF^(-k/(C-2)) on a balanced draw of --size per class).")
  LongTail.Form form;

  @Option(
      names = "--size",
      paramLabel = "N",
      defaultValue = "" + Embedded.LONG_TAIL_SIZE,
      description = "The largest class (max) or the mean class size of the balanced draw (mean).")
  int size;

  @Option(
      names = "--backbones",
      paramLabel = "NAME",
      split = ",",
      defaultValue = "resnet",
      description = "Classifier backbones, comma-separated: resnet, vit.")
  List<Backbone> backbones;

  @Option(
      names = "--methods",
      paramLabel = "METHOD",
      split = ",",
      defaultValue = "original,cmo,cmo-drw,real-gen,real-mix,diff-mix,diff-ii",
      description =
          "Methods, comma-separated: original (CE), cmo, cmo-drw, and any of few-shot's: mixup,"
              + " cutmix, real-gen, real-guidance, real-mix, da-fusion, diff-aug, diff-mix, diff-ii.")
  List<Method> methods;

  @Option(
      names = "--trials",
      paramLabel = "N",
      defaultValue = "1",
      description = "Trials per imbalance factor.")
  int trials;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      defaultValue = "64",
      description = "Fine-tuning epochs (the step schedule and DRW scale with them).")
  int epochs;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "runs/long-tail",
      description = "Output folder.")
  Path out;

  @Option(
      names = "--captioner",
      paramLabel = "KIND",
      defaultValue = "classifier",
      description =
          "Captions of the training scenes for Diff-II's suffixes: classifier (reads pixels) or"
              + " oracle.")
  Embedded.Captioning captioner;

  @Mixin TrialOptions trial;

  @Spec CommandSpec spec;

  private final Main.Job<LongTailCommand> job;

  /** The command that runs the experiment. */
  LongTailCommand() {
    this(LongTailCommand::run);
  }

  /** The command with another job (tests pass a stub). */
  LongTailCommand(Main.Job<LongTailCommand> job) {
    this.job = job;
  }

  /** Checks the values picocli cannot, then runs the job. */
  @Override
  public Integer call() throws Exception {
    for (double f : factors) {
      if (!(f >= 1)) {
        throw new ParameterException(
            spec.commandLine(), "Invalid value for option '--if': " + f + " is not at least 1");
      }
    }
    Main.requirePositive(spec, "--size", List.of(size));
    Main.requirePositive(spec, "--trials", List.of(trials));
    Main.requirePositive(spec, "--epochs", List.of(epochs));
    trial.check(spec);
    return job.run(this);
  }

  /** The experiment with the parsed options. */
  static int run(LongTailCommand options) {
    LongTailResult r =
        Embedded.longTail(options.form, options.size, options.captioner)
            .imbalance(options.factors.stream().mapToDouble(Double::doubleValue).toArray())
            .backbones(options.backbones.toArray(Backbone[]::new))
            .methods(options.methods.toArray(Method[]::new))
            .trials(options.trials)
            .seed(options.trial.seed)
            .testLimit(options.trial.scored())
            .recipe(b -> FineTune.longTailRecipe(b).withEpochs(options.epochs))
            .out(options.out)
            .diffII(d -> d.withConcept(d.concept().withSteps(options.trial.conceptSteps)))
            .run();
    System.out.println(r);
    System.out.println(r.result().stages().printAll());
    System.out.println("files: " + r.write(options.out, "long-tail"));
    return 0;
  }
}
