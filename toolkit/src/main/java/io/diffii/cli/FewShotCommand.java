package io.diffii.cli;

import io.diffii.augment.DiffIISettings;
import io.diffii.augment.Interpolation;
import io.diffii.classify.Backbone;
import io.diffii.classify.FineTune;
import io.diffii.embedded.Embedded;
import io.diffii.experiment.FewShotExperiment;
import io.diffii.experiment.FullScale;
import io.diffii.experiment.Method;
import io.diffii.experiment.Result;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code diffii few-shot}: Table 1 on the embedded benchmark (Table 4's rows with the ablation
 * switches), or with {@code --model DIR --dataset KIND:ROOT --backbone KIND:FILE} on a user's
 * Stable Diffusion folder and data set ({@link FullScale}), resuming the rows an earlier run into
 * the same output folder measured with the same settings; prints the table and the paths of the
 * CSV, chart and image grids.
 */
@Command(
    name = "few-shot",
    description = {
      "Runs the few-shot table (Table 1; Table 4's ablation rows with the switches) on the embedded"
          + " default, or at full scale with --model, --dataset and --backbone, resuming what an"
          + " earlier run into the same folder finished."
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

  @Option(
      names = "--model",
      paramLabel = "DIR",
      description =
          "A diffusers Stable Diffusion 1.x folder: runs at full scale on --dataset with --backbone"
              + " (Diff-II's released settings) instead of the embedded default.")
  Path model;

  @Option(
      names = "--dataset",
      paramLabel = "KIND:ROOT",
      description =
          "With --model: the data set in its published layout, cub:ROOT, pets:ROOT or"
              + " aircraft:ROOT.")
  String dataset;

  @Option(
      names = "--backbone",
      paramLabel = "KIND:FILE",
      description =
          "With --model: torchvision weights as safetensors, resnet50:FILE or vitb16:FILE"
              + " (docs/torchvision-backbones.md).")
  String backbone;

  @Option(
      names = "--clip",
      paramLabel = "DIR",
      description =
          "With --model: a transformers CLIPModel folder that captions the shots (Diff-II's"
              + " suffixes) and filters Real-Filter's images.")
  Path clip;

  @Option(
      names = "--captions",
      paramLabel = "FILE",
      description = "With --model: Diff-II's suffixes, one a line, instead of CLIP's captions.")
  Path captions;

  /** With --model: the concept steps given on the command line, else null (the settings'). */
  Integer conceptSteps;

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
    ParseResult parsed = spec.commandLine().getParseResult();
    if (model == null) {
      for (String option : List.of("--dataset", "--backbone", "--clip", "--captions")) {
        if (parsed.hasMatchedOption(option)) {
          throw new ParameterException(spec.commandLine(), option + " needs --model DIR");
        }
      }
    } else {
      for (String option : List.of("--dataset", "--backbone")) {
        if (!parsed.hasMatchedOption(option)) {
          throw new ParameterException(spec.commandLine(), "--model needs " + option);
        }
      }
      for (String option : List.of("--backbones", "--captioner")) {
        if (parsed.hasMatchedOption(option)) {
          throw new ParameterException(
              spec.commandLine(),
              option + " is for the embedded default; with --model use --backbone and --clip");
        }
      }
      conceptSteps = parsed.hasMatchedOption("--concept-steps") ? trial.conceptSteps : null;
      try {
        fullScale();
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    return job.run(this);
  }

  /**
   * The full-scale benchmark the options describe, its backbone folders kept under {@code
   * <out>/backbones}; a malformed or unknown kind is an error here, missing files when it is built.
   */
  FullScale fullScale() {
    FullScale f =
        FullScale.of(model).dataset(dataset).backbone(backbone).cache(out.resolve("backbones"));
    if (clip != null) {
      f.clip(clip);
    }
    if (captions != null) {
      f.captions(captions);
    }
    return f;
  }

  /** The experiment with the parsed options. */
  static int run(FewShotCommand options) {
    FewShotExperiment experiment =
        options.model == null
            ? Embedded.fewShot(options.captioner)
                .backbones(options.backbones.toArray(Backbone[]::new))
            : options.fullScale().fewShot();
    Result r =
        experiment
            .shots(options.shots.stream().mapToInt(Integer::intValue).toArray())
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
                                .withSteps(conceptSteps(options, d))
                                .withEnabled(options.concepts.on()))
                        .withInversion(d.inversion().withInterpolation(options.interpolation))
                        .withSampling(d.sampling().withTwoStage(options.twoStage.on())))
            .run();
    System.out.println(r);
    System.out.println(r.stages().printAll());
    System.out.println("files: " + r.write(options.out, "few-shot"));
    return 0;
  }

  /**
   * The concept steps of a run: the option's value on the embedded default (600 unless given); at
   * full scale the option's value only when it was given, else the settings' (35,000 released).
   */
  private static int conceptSteps(FewShotCommand options, DiffIISettings d) {
    if (options.model == null) {
      return options.trial.conceptSteps;
    }
    return options.conceptSteps == null ? d.concept().steps() : options.conceptSteps;
  }
}
