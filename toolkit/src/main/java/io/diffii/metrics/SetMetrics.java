package io.diffii.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.nn.Compute;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The two measures Table 4 and Figure 7 report for a synthetic set given as images by class (CHW
 * arrays in [0, 1], as {@code SyntheticSet.byClass()} returns them): its diversity, the mean
 * pairwise LPIPS among the images of one class, averaged over the classes (each class weighs the
 * same; a class of one image has no pair and is left out), and its faithfulness, the mean CLIP
 * score of every image against its class's prompt.
 */
public final class SetMetrics {

  private SetMetrics() {}

  /**
   * Returns the mean over classes of {@link Lpips#meanPairwise(NDArray)} within each class; the
   * images are {@code [3, height, width]}.
   */
  public static double diversity(
      Lpips lpips, Map<Integer, List<float[]>> byClass, int height, int width) {
    double sum = 0;
    int classes = 0;
    try (NDManager m = Compute.newManager()) {
      for (List<float[]> images : byClass.values()) {
        if (images.size() < 2) {
          continue;
        }
        try (NDManager scope = m.newSubManager()) {
          sum += lpips.meanPairwise(stack(scope, images, height, width));
          classes++;
        }
      }
    }
    if (classes == 0) {
      throw new IllegalArgumentException("no class has two images to compare");
    }
    return sum / classes;
  }

  /**
   * Returns the mean CLIP score ({@link ClipScore#score}) of every image against {@code
   * prompt.apply(its class)}.
   */
  public static double clipScore(
      ClipScore score,
      Map<Integer, List<float[]>> byClass,
      IntFunction<String> prompt,
      int height,
      int width) {
    double sum = 0;
    int n = 0;
    try (NDManager m = Compute.newManager()) {
      for (Map.Entry<Integer, List<float[]>> e : byClass.entrySet()) {
        try (NDManager scope = m.newSubManager()) {
          NDArray images = stack(scope, e.getValue(), height, width);
          NDArray s = score.score(images, List.of(prompt.apply(e.getKey())));
          sum += s.sum().getFloat();
          n += e.getValue().size();
        }
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException("no images to score");
    }
    return sum / n;
  }

  private static NDArray stack(NDManager m, List<float[]> images, int height, int width) {
    int per = 3 * height * width;
    float[] all = new float[Math.toIntExact((long) images.size() * per)];
    for (int i = 0; i < images.size(); i++) {
      float[] chw = images.get(i);
      if (chw.length != per) {
        throw new IllegalArgumentException(
            "image " + i + " has " + chw.length + " values, not 3·" + height + "·" + width);
      }
      System.arraycopy(chw, 0, all, i * per, per);
    }
    return m.create(all, new Shape(images.size(), 3, height, width));
  }
}
