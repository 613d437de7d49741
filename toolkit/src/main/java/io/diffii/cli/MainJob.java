package io.diffii.cli;

import io.diffii.classify.Backbone;
import io.diffii.data.FashionMnist;
import io.diffii.embedded.Embedded;
import io.diffii.embedded.Showcase;
import io.diffii.experiment.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code diffii main}: the README's main job on the embedded default: Diff-II end to end on 5-shot
 * Fashion scenes (concepts, inversion pools, random circle interpolation, two-stage denoising), a
 * ResNet fine-tuned with and without the synthetic images, the few-shot table, a grid of synthetic
 * images beside the real shots, and two pictures of the benchmark itself (a scene grid and a circle
 * walk in pixel space). {@code --seed N} draws everything: the shots, Diff-II, fine-tuning and the
 * pictures.
 */
@Command(
    name = "main",
    description = {
      "Runs Diff-II end to end on the embedded default (one trial) and prints the few-shot table,"
          + " the stage times and the paths of the pictures."
    },
    showDefaultValues = true,
    sortOptions = false)
final class MainJob implements Callable<Integer> {

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Shows this help and exits.")
  boolean help;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "out/main",
      description = "Output folder.")
  Path out;

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "0",
      description = "Seed of every random choice: shots, Diff-II, fine-tuning, pictures.")
  long seed;

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

  @Option(
      names = "--frames",
      paramLabel = "N",
      defaultValue = "12",
      description = "Frames of the circle-walk picture.")
  int frames;

  @Spec CommandSpec spec;

  private final Main.Job<MainJob> job;

  /** The command that runs the main job. */
  MainJob() {
    this(MainJob::run);
  }

  /** The command with another job (tests pass a stub). */
  MainJob(Main.Job<MainJob> job) {
    this.job = job;
  }

  /** Checks the values picocli cannot, then runs the job. */
  @Override
  public Integer call() throws Exception {
    Main.requirePositive(spec, "--shots", List.of(shots));
    Main.requirePositive(spec, "--frames", List.of(frames));
    return job.run(this);
  }

  /** The main job with the parsed options. */
  static int run(MainJob options) throws Exception {
    Files.createDirectories(options.out);
    FashionMnist data = FashionMnist.load();
    Path grid =
        Showcase.sceneGrid(data, options.seed).writePng(options.out.resolve("scenes-grid.png"));
    System.out.println("scene grid (10 classes x 5 contexts): " + grid.toAbsolutePath());
    Path walk =
        Showcase.circleWalk(data, options.seed, options.frames)
            .writePng(options.out.resolve("circle-walk.png"));
    System.out.println(
        "circle walk (pixel space, lambda 0 .. 2pi/theta): " + walk.toAbsolutePath());
    Path dir = options.out.resolve("few-shot");
    Result r =
        Embedded.fewShot()
            .shots(options.shots)
            .backbones(options.backbone)
            .trials(1)
            .seed(options.seed)
            .out(dir)
            .run();
    System.out.println(r.summary().printAll());
    System.out.println(r.stages().printAll());
    List<Path> files = r.write(dir, "few-shot");
    System.out.println("table as CSV: " + files.get(0).toAbsolutePath());
    System.out.println("chart: " + files.get(1).toAbsolutePath());
    System.out.println("synthetic images beside the real shots: " + files.get(2).toAbsolutePath());
    System.out.println(
        "every row with its settings and provenance: " + dir.resolve("rows.csv").toAbsolutePath());
    return 0;
  }
}
