package io.diffii.cli;

import io.diffii.augment.Interpolation;
import io.diffii.classify.Backbone;
import io.diffii.classify.FineTune;
import io.diffii.embedded.Embedded;
import io.diffii.experiment.Method;
import io.diffii.experiment.Result;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diffii few-shot}: Table 1 on the embedded benchmark (Table 4's rows with the ablation
 * switches), resuming the rows an earlier run into the same output folder measured with the same
 * settings; prints the table and the paths of the CSV, chart and image grids.
 */
@Command(
    name = "few-shot",
    description = {
      "Runs the few-shot table (Table 1; Table 4's ablation rows with the switches) on the embedded"
          + " default, resuming what an earlier run into the same folder finished."
    },
    showDefaultValues = true,
    sortOptions = false)
final class FewShotCommand implements Callable<Integer> {

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Shows this help and exits.")
  boolean help;

  @Option(
      names = "--shots",
      paramLabel = "K",
      split = ",",
      defaultValue = "5",
      description = "Real images per class, comma-separated.")
  List<Integer> shots;

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
      defaultValue = "original,diff-ii",
      description =
          "Methods, comma-separated: original, mixup, cutmix, real-gen, real-filter (Real-Gen"
              + " filtered by the embedded CLIP), real-guidance, real-mix, da-fusion, diff-aug,"
              + " diff-mix, diff-ii.")
  List<Method> methods;

  @Option(
      names = "--trials",
      paramLabel = "N",
      defaultValue = "1",
      description = "Trials per setting.")
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
      defaultValue = "runs/few-shot",
      description = "Output folder.")
  Path out;

  @Option(
      names = "--interpolation",
      paramLabel = "MODE",
      defaultValue = "circle",
      description = "Interpolation: circle, spherical, extrapolation, linear or noise.")
  Interpolation interpolation;

  @Option(
      names = "--two-stage",
      paramLabel = "on|off",
      defaultValue = "on",
      description = "Two-stage denoising.")
  OnOff twoStage;

  @Option(
      names = "--concepts",
      paramLabel = "on|off",
      defaultValue = "on",
      description = "Learned concepts in the prompts.")
  OnOff concepts;

  @Option(
      names = "--captioner",
      paramLabel = "KIND",
      defaultValue = "classifier",
      description =
          "Captions of the shots for Diff-II's suffixes: classifier (reads pixels) or oracle (the"
              + " scenes' ground-truth context).")
  Embedded.Captioning captioner;

  @Mixin TrialOptions trial;

  @Spec CommandSpec spec;

  private final Main.Job<FewShotCommand> job;

  /** The command that runs the experiment. */
  FewShotCommand() {
    this(FewShotCommand::run);
  }

  /** The command with another job (tests pass a stub). */
  FewShotCommand(Main.Job<FewShotCommand> job) {
    this.job = job;
  }

  /** Checks the values picocli cannot, then runs the job. */
  @Override
  public Integer call() throws Exception {
    Main.requirePositive(spec, "--shots", shots);
    Main.requirePositive(spec, "--trials", List.of(trials));
    Main.requirePositive(spec, "--epochs", List.of(epochs));
    trial.check(spec);
    return job.run(this);
  }

  /** The experiment with the parsed options. */
  static int run(FewShotCommand options) {
    Result r =
        Embedded.fewShot(options.captioner)
            .shots(options.shots.stream().mapToInt(Integer::intValue).toArray())
            .backbones(options.backbones.toArray(Backbone[]::new))
            .methods(options.methods.toArray(Method[]::new))
            .trials(options.trials)
            .seed(options.trial.seed)
            .testLimit(options.trial.scored())
            .recipe(b -> FineTune.fewShotRecipe(b).withEpochs(options.epochs))
            .out(options.out)
            .diffII(
                d ->
                    d.withConcept(
                            d.concept()
                                .withSteps(options.trial.conceptSteps)
                                .withEnabled(options.concepts.on()))
                        .withInversion(d.inversion().withInterpolation(options.interpolation))
                        .withSampling(d.sampling().withTwoStage(options.twoStage.on())))
            .run();
    System.out.println(r);
    System.out.println(r.stages().printAll());
    System.out.println("files: " + r.write(options.out, "few-shot"));
    return 0;
  }
}
