package io.diffii.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.data.ImageDataset;
import io.diffii.model.ResizeCrop;
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
    long per = 3L * height * width;
    for (int i = 0; i < images.size(); i++) {
      if (images.get(i).length != per) {
        throw new IllegalArgumentException(
            "image "
                + i
                + " holds "
                + images.get(i).length
                + " values, not 3x"
                + height
                + "x"
                + width
                + " = "
                + per);
      }
    }
    images = List.copyOf(images);
    labels = labels.clone();
  }

  /**
   * Loads every image of a dataset brought to a classifier's input by {@code transform} (its {@link
   * Classifier#transform}): shorter side resized, centre cropped; an image already at the output
   * size of a transform that only crops passes through unchanged.
   */
  public static LabeledImages of(ImageDataset dataset, ResizeCrop transform) {
    List<float[]> images = new ArrayList<>(dataset.size());
    int[] labels = new int[dataset.size()];
    for (int i = 0; i < dataset.size(); i++) {
      images.add(transform.apply(dataset.image(i)).data());
      labels[i] = dataset.label(i);
    }
    return new LabeledImages(images, labels, transform.crop(), transform.crop());
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
    int per = 3 * height * width;
    float[] buf = new float[Math.toIntExact((long) (to - from) * per)];
    for (int i = from; i < to; i++) {
      System.arraycopy(images.get(i), 0, buf, (i - from) * per, per);
    }
    return manager.create(buf, new Shape(to - from, 3, height, width));
  }
}
