package io.diffii.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The embedded benchmark's splits of Fashion scenes, each a pure function of its seed. Scenes are
 * composed on demand, so even the 60,000-scene pretraining corpus costs little memory. Every scene
 * sample carries the attributes {@link ImageDataset#CONTEXT}, {@link ImageDataset#COARSE}, {@link
 * ImageDataset#CAPTION} and {@link ImageDataset#SOURCE}; OOD scenes also {@link ImageDataset#Y}
 * (class habitat) and {@link ImageDataset#PLACE} (background habitat). Methods without a {@link
 * FashionMnist} argument use {@link FashionMnist#load()}.
 *
 * <p>OOD habitats (fixed): land — T-shirt/top, Trouser, Coat, Sneaker, Bag; water — Pullover,
 * Dress, Sandal, Shirt, Ankle boot. Each habitat mixes tops and footwear, so the habitat cannot be
 * read off the coarse shape alone.
 */
public final class Splits {

  private static final Habitat[] HABITATS = {
    Habitat.LAND, Habitat.LAND, Habitat.WATER, Habitat.WATER, Habitat.LAND,
    Habitat.WATER, Habitat.WATER, Habitat.LAND, Habitat.LAND, Habitat.WATER
  };
  private static final int CLASSES = FashionMnist.CLASS_NAMES.size();
  private static final long OOD_TAG = 0x00D;

  private Splits() {}

  /** Returns the OOD habitat of Fashion-MNIST class {@code fineLabel}. */
  public static Habitat habitat(int fineLabel) {
    CoarseGroup.ofFashion(fineLabel);
    return HABITATS[fineLabel];
  }

  /**
   * Returns every item of {@code part} as a scene on a uniformly random context; {@code partName}
   * ("train" or "test") starts each sample id ({@code train-00042}) and enters the seed.
   */
  public static ImageDataset scenes(FashionMnist.Images part, String partName, long seed) {
    return scenes(part, partName, IntStream.range(0, part.size()).boxed().toList(), seed);
  }

  private static ImageDataset scenes(
      FashionMnist.Images part, String partName, List<Integer> indices, long seed) {
    List<Sample> samples = new ArrayList<>(indices.size());
    Context[] contexts = Context.values();
    for (int i : indices) {
      SplittableRandom rng = new SplittableRandom(Seeds.mix(seed, partName.hashCode(), i));
      Context context = contexts[rng.nextInt(contexts.length)];
      samples.add(sceneSample(part, partName, i, context, rng.nextLong(), Map.of()));
    }
    return new ImageDataset(FashionMnist.CLASS_NAMES, samples);
  }

  /** Returns the pretraining corpus: all 60,000 training items as scenes on random contexts. */
  public static ImageDataset pretrainingCorpus(long seed) {
    return scenes(FashionMnist.load().train(), "train", seed);
  }

  /** Returns {@code k} training scenes per class, and all 10,000 test scenes. */
  public static Split fewShot(int k, long seed) {
    return fewShot(FashionMnist.load(), k, seed);
  }

  /** Returns {@code k} training scenes per class of {@code data}, and all its test scenes. */
  public static Split fewShot(FashionMnist data, int k, long seed) {
    if (k < 1) {
      throw new IllegalArgumentException("few-shot needs k >= 1 images per class, got " + k);
    }
    int[] counts = new int[CLASSES];
    Arrays.fill(counts, k);
    return Split.of(trainScenes(data, counts, seed), testScenes(data, seed));
  }

  /**
   * Returns a long-tailed training set with {@link #longTailCounts} scenes per class (class 0 the
   * largest), and all 10,000 test scenes.
   */
  public static Split longTail(int nMax, double imbalanceFactor, long seed) {
    return longTail(FashionMnist.load(), nMax, imbalanceFactor, seed);
  }

  /** Returns the long-tailed split of {@code data}; see {@link #longTail(int, double, long)}. */
  public static Split longTail(FashionMnist data, int nMax, double imbalanceFactor, long seed) {
    int[] counts = longTailCounts(nMax, imbalanceFactor, CLASSES);
    return Split.of(trainScenes(data, counts, seed), testScenes(data, seed));
  }

  /**
   * Returns the long-tail class sizes \(n_i = \max(1, \lfloor n_{max} \cdot IF^{-i/(C-1)}
   * \rfloor)\), \(i = 0 … C-1\), so that the last class has \(n_{max}/IF\) images.
   */
  public static int[] longTailCounts(int nMax, double imbalanceFactor, int classes) {
    if (nMax < 1 || imbalanceFactor < 1 || classes < 2) {
      throw new IllegalArgumentException(
          "long tail needs n_max >= 1, IF >= 1 and at least 2 classes, got n_max "
              + nMax
              + ", IF "
              + imbalanceFactor
              + ", classes "
              + classes);
    }
    int[] counts = new int[classes];
    for (int i = 0; i < classes; i++) {
      double n = nMax * Math.pow(imbalanceFactor, -i / (double) (classes - 1));
      // The epsilon keeps exact values such as 100·10^-1 = 10 from flooring to 9.
      counts[i] = Math.max(1, (int) Math.floor(n + 1e-9));
    }
    return counts;
  }

  /** Returns the OOD split with perfect correlation (1.0) and 1,000 test scenes per class. */
  public static Split ood(int kPerClass, long seed) {
    return ood(kPerClass, 1.0, seed);
  }

  /** Returns the OOD split with the given correlation and 1,000 test scenes per class. */
  public static Split ood(int kPerClass, double correlation, long seed) {
    return ood(FashionMnist.load(), kPerClass, correlation, 1000, seed);
  }

  /**
   * Returns the Waterbirds-like split. Training: {@code kPerClass} scenes per class; of all {@code
   * n = 10·kPerClass} shots, {@code round(n·(1 − correlation))} lie on a context of the other
   * habitat and the rest on a context of their class's {@link #habitat}. As in Waterbirds the
   * correlation is the training set's, not each class's: at 5 shots a per-class count could only
   * express multiples of 0.2 (0.9 would round to all 5 shots), while over the 50 shots 0.9 puts 5
   * on the other habitat. The off-habitat shots are spread as evenly as the count allows, the
   * classes that get one more drawn by the seed. Test: {@code testPerClass} (even) scenes per
   * class, half on each habitat's contexts, so the four (habitat, background) groups are equal in
   * size. The context within a habitat is drawn uniformly from {@link Habitat#contexts()}.
   */
  public static Split ood(
      FashionMnist data, int kPerClass, double correlation, int testPerClass, long seed) {
    if (correlation < 0 || correlation > 1) {
      throw new IllegalArgumentException("correlation must be in [0, 1], got " + correlation);
    }
    if (testPerClass < 2 || testPerClass % 2 != 0) {
      throw new IllegalArgumentException(
          "testPerClass must be even and positive, got " + testPerClass);
    }
    int[] trainOn = new int[CLASSES];
    int off = (int) Math.round(CLASSES * kPerClass * (1 - correlation));
    List<Integer> extra =
        Seeds.shuffledPrefix(
            IntStream.range(0, CLASSES).boxed().toList(), off % CLASSES, Seeds.mix(seed, OOD_TAG));
    for (int c = 0; c < CLASSES; c++) {
      trainOn[c] = kPerClass - off / CLASSES - (extra.contains(c) ? 1 : 0);
    }
    int[] testOn = new int[CLASSES];
    Arrays.fill(testOn, testPerClass / 2);
    return Split.of(
        oodScenes(data.train(), "train", kPerClass, trainOn, seed),
        oodScenes(data.test(), "test", testPerClass, testOn, seed));
  }

  /**
   * Returns {@code counts[c]} training scenes of class {@code c}, drawn per class with seed {@code
   * mix(seed, c)} (as {@link ImageDataset#perClass}), so a smaller count gives a subset.
   */
  private static ImageDataset trainScenes(FashionMnist data, int[] counts, long seed) {
    List<Integer> picks = new ArrayList<>();
    for (int c = 0; c < CLASSES; c++) {
      picks.addAll(
          Seeds.shuffledPrefix(
              indicesOf(data.train(), c, counts[c]), counts[c], Seeds.mix(seed, c)));
    }
    picks.sort(Comparator.naturalOrder());
    return scenes(data.train(), "train", picks, seed);
  }

  private static ImageDataset testScenes(FashionMnist data, long seed) {
    return scenes(data.test(), "test", seed);
  }

  /**
   * Returns {@code perClass} scenes per class, the first {@code onHabitat[c]} of class {@code c}
   * drawn on the class habitat.
   */
  private static ImageDataset oodScenes(
      FashionMnist.Images part, String partName, int perClass, int[] onHabitat, long seed) {
    long partSeed = Seeds.mix(seed, OOD_TAG, partName.hashCode());
    TreeMap<Integer, Sample> byIndex = new TreeMap<>();
    for (int c = 0; c < CLASSES; c++) {
      List<Integer> picks =
          Seeds.shuffledPrefix(indicesOf(part, c, perClass), perClass, Seeds.mix(partSeed, c));
      for (int j = 0; j < picks.size(); j++) {
        Habitat background = j < onHabitat[c] ? habitat(c) : habitat(c).other();
        byIndex.put(picks.get(j), oodSample(part, partName, picks.get(j), background, partSeed));
      }
    }
    return new ImageDataset(FashionMnist.CLASS_NAMES, List.copyOf(byIndex.values()));
  }

  /** Returns item {@code index} on a random context of {@code background}, with its groups. */
  private static Sample oodSample(
      FashionMnist.Images part, String partName, int index, Habitat background, long partSeed) {
    SplittableRandom rng = new SplittableRandom(Seeds.mix(partSeed, index));
    List<Context> contexts = background.contexts();
    Context context = contexts.get(rng.nextInt(contexts.size()));
    Map<String, String> groups =
        Map.of(
            ImageDataset.Y,
            Integer.toString(habitat(part.label(index)).code()),
            ImageDataset.PLACE,
            Integer.toString(background.code()));
    return sceneSample(part, partName, index, context, rng.nextLong(), groups);
  }

  private static List<Integer> indicesOf(FashionMnist.Images part, int label, int needed) {
    List<Integer> found =
        IntStream.range(0, part.size()).filter(i -> part.label(i) == label).boxed().toList();
    if (needed < 1 || needed > found.size()) {
      throw new IllegalArgumentException(
          "class "
              + FashionMnist.CLASS_NAMES.get(label)
              + " has "
              + found.size()
              + " images, asked for "
              + needed);
    }
    return found;
  }

  private static Sample sceneSample(
      FashionMnist.Images part,
      String partName,
      int index,
      Context context,
      long sceneSeed,
      Map<String, String> extra) {
    int label = part.label(index);
    CoarseGroup coarse = CoarseGroup.ofFashion(label);
    Map<String, String> attributes = new HashMap<>(extra);
    attributes.put(ImageDataset.CONTEXT, context.name());
    attributes.put(ImageDataset.COARSE, coarse.word());
    attributes.put(ImageDataset.CAPTION, Scene.caption(coarse, context));
    attributes.put(ImageDataset.SOURCE, Integer.toString(index));
    return new Sample(
        String.format("%s-%05d", partName, index),
        label,
        attributes,
        () -> SceneComposer.compose(part.image(index), context, sceneSeed));
  }
}
