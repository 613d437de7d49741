package io.diffii.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.data.ImageDataset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Images in memory as CHW floats in [0, 1] (all of one size) with their class labels: what a
 * classifier trains and is evaluated on.
 */
public record LabeledImages(List<float[]> images, int[] labels, int height, int width) {

  /** Validates that every image has 3·height·width values and a label. */
  public LabeledImages {
    if (images.size() != labels.length) {
      throw new IllegalArgumentException(
          images.size() + " images but " + labels.length + " labels");
    }
    for (float[] im : images) {
      if (im.length != 3 * height * width) {
        throw new IllegalArgumentException("every image must be 3×" + height + "×" + width);
      }
    }
    images = List.copyOf(images);
    labels = labels.clone();
  }

  /** Loads every image of a dataset, resized to {@code side}×{@code side}. */
  public static LabeledImages of(ImageDataset dataset, int side) {
    List<float[]> images = new ArrayList<>(dataset.size());
    int[] labels = new int[dataset.size()];
    for (int i = 0; i < dataset.size(); i++) {
      var im = dataset.image(i);
      if (im.height() != side || im.width() != side) {
        im = im.resize(side, side);
      }
      images.add(im.data());
      labels[i] = dataset.label(i);
    }
    return new LabeledImages(images, labels, side, side);
  }

  /** Returns the number of images. */
  public int size() {
    return labels.length;
  }

  /** Returns the first {@code n} images (all when there are fewer). */
  public LabeledImages firstN(int n) {
    int k = Math.min(n, size());
    return new LabeledImages(
        images.subList(0, k), java.util.Arrays.copyOf(labels, k), height, width);
  }

  /** Returns the images grouped by label (for synthetic pools). */
  public Map<Integer, List<float[]>> byClass() {
    Map<Integer, List<float[]>> out = new LinkedHashMap<>();
    for (int i = 0; i < labels.length; i++) {
      out.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(images.get(i));
    }
    return out;
  }

  /** Returns images {@code [from, to)} as {@code [n, 3, H, W]}. */
  public NDArray batch(NDManager manager, int from, int to) {
    float[] buf = new float[(to - from) * 3 * height * width];
    for (int i = from; i < to; i++) {
      System.arraycopy(images.get(i), 0, buf, (i - from) * 3 * height * width, 3 * height * width);
    }
    return manager.create(buf, new Shape(to - from, 3, height, width));
  }
}
