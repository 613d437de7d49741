package io.diffii.cli;

import io.diffii.classify.Backbone;
import io.diffii.data.FashionMnist;
import io.diffii.embedded.Embedded;
import io.diffii.embedded.Showcase;
import io.diffii.experiment.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The README's main job on the embedded default: Diff-II end to end on 5-shot Fashion scenes
 * (concepts, inversion pools, random circle interpolation, two-stage denoising), a ResNet
 * fine-tuned with and without the synthetic images, the few-shot table, a grid of synthetic
 * images beside the real shots, and two pictures of the benchmark itself (a scene grid and a
 * circle walk in pixel space). {@code --seed N} draws everything: the shots, Diff-II, fine-tuning
 * and the pictures.
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
    Path dir = out.resolve("few-shot");
    Result r =
        Embedded.fewShot()
            .shots(options.integer("shots", 5))
            .backbones(Backbone.of(options.string("backbone", "resnet")))
            .trials(1)
            .seed(seed)
            .out(dir)
            .run();
    System.out.println(r.summary().printAll());
    System.out.println(r.stages().printAll());
    List<Path> files = r.write(dir, "few-shot");
    System.out.println("table as CSV: " + files.get(0).toAbsolutePath());
    System.out.println("chart: " + files.get(1).toAbsolutePath());
    System.out.println("synthetic images beside the real shots: " + files.get(2).toAbsolutePath());
    System.out.println("every row with its settings and provenance: " + dir.resolve("rows.csv").toAbsolutePath());
    return 0;
  }

}
