package io.diffii.cli;

import io.diffii.data.FashionMnist;
import io.diffii.notebook.Showcase;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The README's main job on the embedded default. For now: a grid of Fashion scenes (10 classes × 5
 * contexts) and a strip of one full circle walk between two scenes in pixel space.
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
    return 0;
  }

}
