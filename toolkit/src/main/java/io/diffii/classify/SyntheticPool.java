package io.diffii.classify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The synthetic images a trainer may draw instead of a real one, grouped by the class whose real
 * draws they replace. Each image carries its target distribution over the classes (a soft label, as
 * Real-Mix and Diff-Mix make), or none, which means one-hot on its class. A pool holds its images
 * in memory ({@link #withTargets}: the embedded 32-px scale) or reads each from disk when it is
 * drawn, through a cache bounded in bytes ({@link #streamed}: any synthetic set).
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

  /** The system property that sets {@link #defaultCacheBytes()}, in bytes. */
  public static final String CACHE_PROPERTY = "diffii.cache.bytes";

  private static final SyntheticPool EMPTY = new SyntheticPool(Map.of(), i -> null, 0, 0, 0);

  /** Each class's images, as indices of {@code load}. */
  private final Map<Integer, int[]> byClass;

  private final IntFunction<Image> load;

  /** The side every loaded image has, or 0 when the images are in memory (checked one by one). */
  private final int height;

  private final int width;

  private final Cache cache;

  private SyntheticPool(
      Map<Integer, int[]> byClass,
      IntFunction<Image> load,
      long cacheBytes,
      int height,
      int width) {
    this.byClass = Collections.unmodifiableMap(new LinkedHashMap<>(byClass));
    this.load = load;
    this.cache = cacheBytes > 0 ? new Cache(cacheBytes) : null;
    this.height = height;
    this.width = width;
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
    return withTargets(out);
  }

  /**
   * Returns a pool of images in memory with their own targets (null targets are one-hot), for sets
   * small enough to hold; {@link #streamed} reads larger ones from disk.
   */
  public static SyntheticPool withTargets(Map<Integer, List<Image>> images) {
    List<Image> all = new ArrayList<>();
    Map<Integer, int[]> byClass = new LinkedHashMap<>();
    images.forEach(
        (c, list) -> {
          int[] indices = new int[list.size()];
          for (int i = 0; i < indices.length; i++) {
            indices[i] = all.size();
            all.add(java.util.Objects.requireNonNull(list.get(i)));
          }
          byClass.put(c, indices);
        });
    return new SyntheticPool(byClass, all::get, 0, 0, 0);
  }

  /**
   * Returns a pool that loads image i (of class {@code labels.get(i)}) with {@code load} when it is
   * drawn, keeping the most recently drawn ones in a cache of at most {@code cacheBytes} bytes of
   * pixels, so a synthetic set of any size trains in bounded memory. Every loaded image must be
   * {@code 3·height·width} values (its loader brings it to the classifier, {@link
   * Classifier#transform}); an image larger than the whole cache is served without being kept. The
   * images of a class keep their order in {@code labels}, so a streamed pool draws exactly what an
   * in-memory pool of the same images draws.
   */
  public static SyntheticPool streamed(
      List<Integer> labels, IntFunction<Image> load, long cacheBytes, int height, int width) {
    if (cacheBytes < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "a streamed pool needs a positive cache and image size, got "
              + cacheBytes
              + " bytes and "
              + height
              + "x"
              + width);
    }
    Map<Integer, List<Integer>> grouped = new LinkedHashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      grouped.computeIfAbsent(labels.get(i), k -> new ArrayList<>()).add(i);
    }
    Map<Integer, int[]> byClass = new LinkedHashMap<>();
    grouped.forEach((c, list) -> byClass.put(c, list.stream().mapToInt(i -> i).toArray()));
    return new SyntheticPool(byClass, load, cacheBytes, height, width);
  }

  /**
   * Returns the cache size streamed pools get unless told otherwise: the system property {@code
   * diffii.cache.bytes}, else a quarter of the Java heap's maximum ({@code -Xmx}).
   */
  public static long defaultCacheBytes() {
    return Long.getLong(CACHE_PROPERTY, Runtime.getRuntime().maxMemory() / 4);
  }

  /** Returns the number of images that replace real draws of class {@code label} (0 when none). */
  public int size(int label) {
    int[] indices = byClass.get(label);
    return indices == null ? 0 : indices.length;
  }

  /** Returns image {@code index} of class {@code label}, from the cache or loaded. */
  public Image image(int label, int index) {
    int i = byClass.get(label)[index];
    return cache == null ? load.apply(i) : cache.get(i, load);
  }

  /** Returns the bytes of pixels the cache holds now (0 for a pool in memory). */
  public long cachedBytes() {
    return cache == null ? 0 : cache.bytes;
  }

  /** Returns the most bytes of pixels the cache ever held (0 for a pool in memory). */
  public long peakCachedBytes() {
    return cache == null ? 0 : cache.peak;
  }

  /** The most recently drawn images, at most {@code limit} bytes of pixels. */
  private static final class Cache {
    final long limit;
    final LinkedHashMap<Integer, Image> images = new LinkedHashMap<>(16, 0.75f, true);
    long bytes;
    long peak;

    Cache(long limit) {
      this.limit = limit;
    }

    synchronized Image get(int i, IntFunction<Image> load) {
      Image image = images.get(i);
      if (image != null) {
        return image;
      }
      image = load.apply(i);
      long size = (long) image.chw().length * Float.BYTES;
      if (size <= limit) {
        var eldest = images.entrySet().iterator();
        while (bytes + size > limit) {
          bytes -= (long) eldest.next().getValue().chw().length * Float.BYTES;
          eldest.remove();
        }
        images.put(i, image);
        bytes += size;
        peak = Math.max(peak, bytes);
      }
      return image;
    }
  }

  /**
   * Rejects the pool unless every image holds the {@code 3·height·width} values of the images the
   * classifier trains on: a synthetic image of another size is an error, never reinterpreted.
   */
  void requireSize(int height, int width) {
    if (this.height > 0) {
      if (this.height != height || this.width != width) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "the synthetic images are brought to 3x%dx%d, the classifier trains on 3x%dx%d"
                    + " images: bring synthetic images to it with its transform(), as the real ones",
                this.height,
                this.width,
                height,
                width));
      }
      return;
    }
    byClass.forEach(
        (label, indices) -> {
          for (int i : indices) {
            requireSize(load.apply(i), label, height, width);
          }
        });
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
    return byClass.values().stream().mapToInt(a -> a.length).sum();
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return "SyntheticPool("
        + size()
        + " images in "
        + byClass.size()
        + " classes"
        + (cache == null ? ")" : ", streamed through a cache of " + cache.limit + " bytes)");
  }
}
