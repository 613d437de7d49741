package io.diffii.classify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The synthetic images a trainer may draw instead of a real one, grouped by the class whose real
 * draws they replace. Each image carries its target distribution over the classes (a soft label, as
 * Real-Mix and Diff-Mix make), or none, which means one-hot on its class.
 */
public final class SyntheticPool {

  /**
   * One synthetic image.
   *
   * @param chw pixels, CHW in [0, 1]
   * @param target the target distribution over the classes (non-negative, sums to 1), or null for
   *     one-hot on the class it is pooled under
   */
  public record Image(float[] chw, float[] target) {

    /** Checks that a soft target is a distribution. */
    public Image {
      if (chw == null) {
        throw new IllegalArgumentException("a synthetic image needs pixels");
      }
      if (target != null) {
        double sum = 0;
        for (float p : target) {
          if (!(p >= 0)) {
            throw new IllegalArgumentException("soft label with a negative or NaN entry: " + p);
          }
          sum += p;
        }
        if (Math.abs(sum - 1) > 1e-4) {
          throw new IllegalArgumentException("soft label sums to " + sum + ", not 1");
        }
      }
    }
  }

  private static final SyntheticPool EMPTY = new SyntheticPool(Map.of());

  private final Map<Integer, List<Image>> byClass;

  private SyntheticPool(Map<Integer, List<Image>> byClass) {
    Map<Integer, List<Image>> copy = new LinkedHashMap<>();
    byClass.forEach((c, list) -> copy.put(c, List.copyOf(list)));
    this.byClass = Collections.unmodifiableMap(copy);
  }

  /** Returns a pool without images. */
  public static SyntheticPool empty() {
    return EMPTY;
  }

  /** Returns a pool of images labelled one-hot by the class they are grouped under. */
  public static SyntheticPool of(Map<Integer, List<float[]>> images) {
    Map<Integer, List<Image>> out = new LinkedHashMap<>();
    images.forEach(
        (c, list) -> {
          List<Image> pooled = new ArrayList<>();
          list.forEach(chw -> pooled.add(new Image(chw, null)));
          out.put(c, pooled);
        });
    return new SyntheticPool(out);
  }

  /** Returns a pool of images with their own targets (null targets are one-hot). */
  public static SyntheticPool withTargets(Map<Integer, List<Image>> images) {
    return new SyntheticPool(images);
  }

  /** Returns the images that replace real draws of class {@code label} (empty when none). */
  public List<Image> of(int label) {
    return byClass.getOrDefault(label, List.of());
  }

  /**
   * Rejects the pool unless every image holds the {@code 3·height·width} values of the images the
   * classifier trains on: a synthetic image of another size is an error, never reinterpreted.
   */
  void requireSize(int height, int width) {
    byClass.forEach((label, images) -> images.forEach(i -> requireSize(i, label, height, width)));
  }

  /** Rejects {@code image} (pooled under {@code label}) unless it holds 3·height·width values. */
  static void requireSize(Image image, int label, int height, int width) {
    long per = 3L * height * width;
    int n = image.chw().length;
    if (n != per) {
      long side = Math.round(Math.sqrt(n / 3.0));
      String square = 3 * side * side == n ? " (3x" + side + "x" + side + " if square)" : "";
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "a synthetic image of class %d holds %d values%s, the classifier trains on 3x%dx%d"
                  + " images (%d values): bring synthetic images to it with its transform(), as"
                  + " the real ones",
              label,
              n,
              square,
              height,
              width,
              per));
    }
  }

  /** Returns the number of images. */
  public int size() {
    return byClass.values().stream().mapToInt(List::size).sum();
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return "SyntheticPool(" + size() + " images in " + byClass.size() + " classes)";
  }
}
