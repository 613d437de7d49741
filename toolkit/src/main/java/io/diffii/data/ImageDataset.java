package io.diffii.data;

import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.SequenceSampler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;

/**
 * A labelled image data set: class names and samples whose images load on demand. Every reader and
 * split in this package produces one; it becomes a DJL data set with {@link #toDjl} and an
 * ImageFolder tree with {@link ImageFolder#write}.
 *
 * <p>Attribute keys used in this package: {@value #Y} and {@value #PLACE} (Waterbirds group codes,
 * 0 land, 1 water), {@value #CONTEXT}, {@value #COARSE}, {@value #CAPTION} and {@value #SOURCE}
 * (Fashion scenes), {@value #SPECIES} (Oxford Pets), {@value #IMAGE_ID} (CUB).
 */
public final class ImageDataset {

  /** Attribute: the habitat of the class, Waterbirds code (0 land, 1 water). */
  public static final String Y = "y";

  /** Attribute: the habitat of the background, Waterbirds code (0 land, 1 water). */
  public static final String PLACE = "place";

  /** Attribute: the scene context, a {@link Context} name. */
  public static final String CONTEXT = "context";

  /** Attribute: the coarse group word of a scene. */
  public static final String COARSE = "coarse";

  /** Attribute: the caption of a scene. */
  public static final String CAPTION = "caption";

  /** Attribute: index of a scene's item in its Fashion-MNIST part. */
  public static final String SOURCE = "source";

  /** Attribute: Oxford Pets species, "cat" or "dog". */
  public static final String SPECIES = "species";

  /** Attribute: the image id of the CUB listing files. */
  public static final String IMAGE_ID = "image_id";

  private final List<String> classNames;
  private final List<Sample> samples;

  /** Creates a data set; every sample label must index {@code classNames}. */
  public ImageDataset(List<String> classNames, List<Sample> samples) {
    this.classNames = List.copyOf(classNames);
    this.samples = List.copyOf(samples);
    for (Sample s : this.samples) {
      if (s.label() >= this.classNames.size()) {
        throw new IllegalArgumentException(
            "sample "
                + s.id()
                + " has label "
                + s.label()
                + " but there are only "
                + this.classNames.size()
                + " classes");
      }
    }
  }

  /** Returns a data set with these classes and no samples. */
  public static ImageDataset empty(List<String> classNames) {
    return new ImageDataset(classNames, List.of());
  }

  /** Returns the class names, indexed by label. */
  public List<String> classNames() {
    return classNames;
  }

  /** Returns the samples in order. */
  public List<Sample> samples() {
    return samples;
  }

  /** Returns the number of samples. */
  public int size() {
    return samples.size();
  }

  /** Returns sample {@code i}. */
  public Sample get(int i) {
    return samples.get(i);
  }

  /** Returns the image of sample {@code i}, loading or composing it now. */
  public RgbImage image(int i) {
    return samples.get(i).image();
  }

  /** Returns the label of sample {@code i}. */
  public int label(int i) {
    return samples.get(i).label();
  }

  /** Returns the number of samples of each class, indexed by label. */
  public int[] classCounts() {
    int[] counts = new int[classNames.size()];
    samples.forEach(s -> counts[s.label()]++);
    return counts;
  }

  /**
   * Checks that every class has at least one image, naming the first empty class and {@code who}
   * needs it (a step that learns or draws per class cannot do without).
   */
  public void requireEveryClass(String who) {
    int[] counts = classCounts();
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] == 0) {
        throw new IllegalArgumentException(
            "class '"
                + classNames.get(c)
                + "' has no image: "
                + who
                + " needs at least one per class");
      }
    }
  }

  /**
   * Returns a seeded random subset with {@code counts[c]} samples of class {@code c}, in this data
   * set's order. Each class is drawn with its own seed, so for one seed a smaller count gives a
   * subset of a larger one (the 5-shot set lies inside the 10-shot set).
   */
  public ImageDataset perClass(int[] counts, long seed) {
    if (counts.length != classNames.size()) {
      throw new IllegalArgumentException(
          "need one count per class (" + classNames.size() + "), got " + counts.length);
    }
    List<Integer> kept = new ArrayList<>();
    for (int c = 0; c < counts.length; c++) {
      kept.addAll(Seeds.shuffledPrefix(indicesOf(c, counts[c]), counts[c], Seeds.mix(seed, c)));
    }
    kept.sort(Comparator.naturalOrder());
    return new ImageDataset(classNames, kept.stream().map(samples::get).toList());
  }

  /** Returns a seeded random subset with {@code k} samples of every class. */
  public ImageDataset perClass(int k, long seed) {
    int[] counts = new int[classNames.size()];
    Arrays.fill(counts, k);
    return perClass(counts, seed);
  }

  /** Returns the same samples under new classes, label {@code c} becoming {@code map(c)}. */
  public ImageDataset relabel(List<String> newClassNames, IntUnaryOperator map) {
    List<Sample> out = new ArrayList<>(samples.size());
    for (Sample s : samples) {
      out.add(new Sample(s.id(), map.applyAsInt(s.label()), s.attributes(), s.loader()));
    }
    return new ImageDataset(newClassNames, out);
  }

  /** Returns this data set as a DJL data set in order, batches of {@code batchSize}. */
  public DjlImageDataset toDjl(int batchSize) {
    return DjlImageDataset.builder(this)
        .setSampling(new BatchSampler(new SequenceSampler(), batchSize, false))
        .build();
  }

  /** Returns this data set as a DJL data set shuffled each epoch from {@code shuffleSeed}. */
  public DjlImageDataset toDjl(int batchSize, long shuffleSeed) {
    return DjlImageDataset.builder(this)
        .setSampling(new BatchSampler(new SeededSampler(shuffleSeed), batchSize, false))
        .build();
  }

  /** Writes this data set as an ImageFolder tree under {@code root} and returns {@code root}. */
  public Path writeImageFolder(Path root) {
    ImageFolder.write(this, root);
    return root;
  }

  private List<Integer> indicesOf(int label, int needed) {
    List<Integer> found =
        IntStream.range(0, samples.size())
            .filter(i -> samples.get(i).label() == label)
            .boxed()
            .toList();
    if (needed < 0 || needed > found.size()) {
      throw new IllegalArgumentException(
          "class "
              + classNames.get(label)
              + " has "
              + found.size()
              + " samples, asked for "
              + needed);
    }
    return found;
  }
}
