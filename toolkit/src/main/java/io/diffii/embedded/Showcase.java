package io.diffii.embedded;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.data.Context;
import io.diffii.data.FashionMnist;
import io.diffii.data.RgbImage;
import io.diffii.data.SceneComposer;
import io.diffii.interpolate.CircleInterpolation;
import io.diffii.nn.Compute;
import io.diffii.notebook.ImageGrid;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** Ready-made pictures of the embedded benchmark, for the main job and the quickstart notebook. */
public final class Showcase {

  private Showcase() {}

  /** Returns the first training image of each class composed on each context. */
  public static ImageGrid sceneGrid(FashionMnist data, long seed) {
    List<List<BufferedImage>> rows = new ArrayList<>();
    List<String> rowLabels = new ArrayList<>();
    for (int label = 0; label < FashionMnist.CLASS_NAMES.size(); label++) {
      int index = firstOfClass(data.train(), label);
      List<BufferedImage> row = new ArrayList<>();
      for (Context context : Context.values()) {
        row.add(SceneComposer.scene(data.train(), index, context, seed + index).toBufferedImage());
      }
      rows.add(row);
      rowLabels.add(FashionMnist.CLASS_NAMES.get(label));
    }
    List<String> columnLabels = new ArrayList<>();
    for (Context context : Context.values()) {
      columnLabels.add(context.name().toLowerCase());
    }
    return ImageGrid.of(rows).withRowLabels(rowLabels).withColumnLabels(columnLabels).withScale(3);
  }

  /**
   * Returns {@code frames} points of the circle (Eq. 5) through two scenes of one class, λ evenly
   * spaced over [0, 2π/θ]: the walk leaves the first scene, passes the second and comes back.
   * Pixels are centred to [−1, 1] first, as latents are, so the circle is about the origin.
   */
  public static ImageGrid circleWalk(FashionMnist data, long seed, int frames) {
    if (frames < 2) {
      throw new IllegalArgumentException("a circle walk needs at least 2 frames, got " + frames);
    }
    int first = firstOfClass(data.train(), 7);
    int second = nextOfClass(data.train(), 7, first);
    RgbImage a = SceneComposer.scene(data.train(), first, Context.LAND, seed).image();
    RgbImage b = SceneComposer.scene(data.train(), second, Context.WATER, seed + 1).image();
    List<BufferedImage> strip = new ArrayList<>();
    try (NDManager manager = Compute.newManager()) {
      Shape shape = new Shape(3, a.height(), a.width());
      NDArray za = manager.create(a.data(), shape).mul(2).sub(1);
      NDArray zb = manager.create(b.data(), shape).mul(2).sub(1);
      double period = 2 * Math.PI / CircleInterpolation.angle(za, zb);
      for (int i = 0; i < frames; i++) {
        double lambda = period * i / (frames - 1);
        try (NDManager step = manager.newSubManager()) {
          NDArray z = CircleInterpolation.circle(za, zb, lambda);
          z.tempAttach(step);
          float[] pixels = z.add(1).div(2).clip(0, 1).toFloatArray();
          strip.add(new RgbImage(a.height(), a.width(), pixels).toBufferedImage());
        }
      }
    }
    return ImageGrid.of(frames, strip).withScale(3);
  }

  private static int firstOfClass(FashionMnist.Images images, int label) {
    return nextOfClass(images, label, -1);
  }

  private static int nextOfClass(FashionMnist.Images images, int label, int after) {
    for (int i = after + 1; i < images.size(); i++) {
      if (images.label(i) == label) {
        return i;
      }
    }
    throw new IllegalArgumentException("no image of class " + label + " after index " + after);
  }
}
