package io.diffii.cli;

import io.diffii.data.FashionMnist;
import io.diffii.experiment.FewShotExperiment;
import io.diffii.embedded.Showcase;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The README's main job on the embedded default: Diff-II end to end on 5-shot Fashion scenes
 * (concepts, inversion pools, random circle interpolation, two-stage denoising), a ResNet
 * fine-tuned with and without the synthetic images, the few-shot table, a grid of synthetic
 * images beside the real shots, and two pictures of the benchmark itself (a scene grid and a
 * circle walk in pixel space).
 */
final class MainJob {

  private MainJob() {}

  static int run(Options options) throws Exception {
    Path out = options.path("out", "out/main");
    long seed = options.longValue("seed", 0);
    int frames = options.integer("frames", 12);
    Files.createDirectories(out);
    FashionMnist data = FashionMnist.load();
    Path grid = Showcase.sceneGrid(data, seed).writePng(out.resolve("scenes-grid.png"));
    System.out.println("scene grid (10 classes x 5 contexts): " + grid.toAbsolutePath());
    Path walk = Showcase.circleWalk(data, seed, frames).writePng(out.resolve("circle-walk.png"));
    System.out.println("circle walk (pixel space, lambda 0 .. 2pi/theta): " + walk.toAbsolutePath());
    FewShotExperiment.Result r =
        FewShotExperiment.embedded()
            .shots(options.integer("shots", 5))
            .backbones(options.string("backbone", "resnet"))
            .trials(1)
            .out(out.resolve("few-shot"))
            .run();
    System.out.println(r.table().printAll());
    System.out.println(r.stages().printAll());
    System.out.println("synthetic images beside the real shots: " + r.grids().get(0).toAbsolutePath());
    System.out.println("table as CSV: " + r.csv().toAbsolutePath());
    System.out.println("chart: " + r.chart().toAbsolutePath());
    return 0;
  }

}
