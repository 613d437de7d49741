package io.diffii.embedded;

import io.diffii.augment.Captioner;
import io.diffii.augment.ClipFilter;
import io.diffii.augment.DiffII;
import io.diffii.augment.DiffIISettings;
import io.diffii.augment.SuffixSource;
import io.diffii.augment.SyntheticSet;
import io.diffii.classify.Backbone;
import io.diffii.data.CoarseGroup;
import io.diffii.data.Context;
import io.diffii.data.FashionMnist;
import io.diffii.data.ImageDataset;
import io.diffii.data.LongTail;
import io.diffii.data.RgbImage;
import io.diffii.data.Splits;
import io.diffii.experiment.AblationExperiment;
import io.diffii.experiment.Benchmark;
import io.diffii.experiment.FewShotExperiment;
import io.diffii.experiment.LongTailExperiment;
import io.diffii.experiment.OodExperiment;
import io.diffii.experiment.SetMeasure;
import io.diffii.experiment.ShotGroups;
import io.diffii.metrics.ClipScore;
import io.diffii.metrics.Lpips;
import io.diffii.metrics.SetMetrics;
import io.diffii.model.ClipModel;
import io.diffii.model.StableDiffusion;
import io.diffii.pipeline.SdPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded default in one place: where the shipped model and backbones are, the metaclass word
 * of each fine class (its coarse group, the word the model was trained on), the scene captioner
 * that stands in for BLIP (it reads pixels; the ground-truth one is an explicit oracle), Diff-II's
 * settings for the tiny model, Real-Filter's CLIP filter, and the benchmark the experiment runners
 * measure on.
 */
public final class Embedded {

  private Embedded() {}

  /**
   * Returns the project root: system property {@code diffii.root}, else the nearest folder, from
   * the working directory up, that has the shipped model (notebooks run in {@code notebooks/}).
   */
  public static Path root() {
    String set = System.getProperty("diffii.root");
    if (set != null) {
      return Path.of(set);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("data/models/fashion-scenes-sd"))) {
        return p;
      }
    }
    return Path.of(".");
  }

  /** Returns the shipped model folder, with a clear error when it is missing. */
  public static Path model() {
    return require(root().resolve("data/models/fashion-scenes-sd"), "model_index.json");
  }

  /** Returns the shipped tiny CLIP folder (checked where it is used). */
  public static Path clip() {
    return root().resolve("data/models/fashion-scenes-clip");
  }

  /**
   * Returns Real-Filter's filter on the embedded benchmark: the shipped tiny CLIP, asked whether a
   * scene shows its class's coarse group ("a photo of a footwear") rather than one of the other
   * four; it knows no "with"/"without" and no fine class name, so this is the question of the
   * comparison code's filter it can answer. The lowest 10 % by that probability are dropped.
   */
  public static ClipFilter realFilter() {
    return ClipFilter.of(
        clip(),
        "coarse prompt among the coarse prompts",
        c -> {
          List<String> prompts = new ArrayList<>(ClipPretraining.coarsePrompts());
          String own = prompts.remove(CoarseGroup.ofFashion(c).ordinal());
          prompts.add(0, own);
          return prompts;
        });
  }

  /** Returns the folder of the shipped backbone {@code b}. */
  public static Path backbone(Backbone b) {
    return require(root().resolve("data/models/backbones").resolve(b.id()), "model.safetensors");
  }

  private static Path require(Path dir, String file) {
    if (!Files.isRegularFile(dir.resolve(file))) {
      throw new IllegalArgumentException(
          dir.toAbsolutePath()
              + " has no "
              + file
              + ": run bin/pretrain, or set -Ddiffii.root to the project folder");
    }
    return dir;
  }

  /**
   * Returns the metaclass word of a Fashion-MNIST class: its coarse group ("top", "footwear" …).
   */
  public static String metaclass(int fineLabel) {
    return CoarseGroup.ofFashion(fineLabel).word();
  }

  /**
   * How training scenes are captioned for Diff-II's suffixes. The paper's BLIP sees only pixels, so
   * the default does too; the oracle reads the label a real captioner never has.
   */
  public enum Captioning {
    /**
     * The background classifier ({@link ContextClassifier}) names the context it sees in the
     * image's pixels (the default).
     */
    CLASSIFIER,
    /** The scene's ground-truth context attribute: an oracle, for comparison only. */
    ORACLE;

    /** Returns the captioner. */
    public Captioner captioner() {
      return this == ORACLE ? oracleCaptioner() : Embedded.captioner();
    }
  }

  /** The first scenes of the pretraining corpus the background classifier is fitted on. */
  private static final int CONTEXT_SCENES = 5000;

  /**
   * The background classifier, fitted once per JVM (a few seconds) on the first {@value
   * #CONTEXT_SCENES} scenes of the shipped model's pretraining corpus, none of which is a benchmark
   * shot's composition.
   */
  private static final class Contexts {
    static final ContextClassifier FITTED =
        ContextClassifier.fit(
            SceneCorpus.train(EmbeddedPretraining.Recipe.shipped().corpusSeed(), CONTEXT_SCENES),
            CONTEXT_SCENES);
  }

  /**
   * Returns a background classifier for generated images: fitted, as {@link EmbeddedEvaluation}'s
   * judge is, on the shipped autoencoder's round trip of the first {@value #CONTEXT_SCENES} corpus
   * scenes, since every generated image has passed the decoder (the captioner's classifier, fitted
   * on real scenes, took v1's smoothed land for sand or night). About a minute on 2 cores.
   */
  public static ContextClassifier generatedContextJudge() {
    try (StableDiffusion sd = StableDiffusion.load(model())) {
      SdPipeline pipe = new SdPipeline(sd);
      SceneCorpus seen =
          SceneCorpus.train(EmbeddedPretraining.Recipe.shipped().corpusSeed(), CONTEXT_SCENES)
              .mapped(EmbeddedEvaluation.roundTrip(pipe));
      return ContextClassifier.fit(seen, CONTEXT_SCENES);
    }
  }

  /**
   * Returns how often the images of the synthetic folder {@code dir} (an OOD run's) show the
   * context their suffix asked for, judged by {@link #generatedContextJudge()}, with the OOD
   * habitats of {@link Splits#habitat}.
   */
  public static SuffixAdherence suffixAdherence(Path dir) {
    return SuffixAdherence.of(
        SyntheticSet.read(dir, FashionMnist.CLASS_NAMES),
        generatedContextJudge()::predict,
        Splits::habitat);
  }

  /**
   * The stand-in for BLIP: names the context ("in the snow") that the background classifier sees in
   * the scene's pixels; it never reads a label or attribute.
   */
  public static Captioner captioner() {
    return sample -> {
      RgbImage image = sample.image();
      if (image.height() != 32 || image.width() != 32) {
        image = image.resize(32, 32);
      }
      return Contexts.FITTED.predict(image.data()).phrase();
    };
  }

  /**
   * The oracle captioner: names the scene's ground-truth context attribute, which no real captioner
   * has; an explicit option ({@link Captioning#ORACLE}), never the default.
   */
  public static Captioner oracleCaptioner() {
    return sample -> Context.valueOf(sample.attribute(ImageDataset.CONTEXT)).phrase();
  }

  /**
   * Returns the suffixes of a scene training set: its captions by {@link #captioner()}, the most
   * frequent first, at most 10.
   */
  public static SuffixSource suffixes(ImageDataset train) {
    return suffixes(train, Captioning.CLASSIFIER);
  }

  /** Returns the suffixes of a scene training set captioned as {@code captioning} says. */
  public static SuffixSource suffixes(ImageDataset train, Captioning captioning) {
    return SuffixSource.fromCaptions(train, captioning.captioner(), SuffixSource.mostFrequent());
  }

  /**
   * Returns Diff-II on the embedded model for {@code train}: suffixes from its captions, {@link
   * DiffIISettings#embedded()}.
   */
  public static DiffII diffII(StableDiffusion sd, ImageDataset train) {
    return DiffII.on(sd)
        .metaclass(Embedded::metaclass)
        .suffixes(suffixes(train))
        .settings(DiffIISettings.embedded());
  }

  /**
   * Returns the embedded benchmark: Fashion scenes at 32 px, the shipped model and backbones,
   * suffixes from the pixel captioner.
   */
  public static Benchmark benchmark() {
    return benchmark(Captioning.CLASSIFIER);
  }

  /**
   * Returns the embedded benchmark with suffixes captioned as {@code captioning} says (the oracle's
   * benchmark is named so in every row).
   */
  public static Benchmark benchmark(Captioning captioning) {
    return new Benchmark(
        captioning == Captioning.ORACLE
            ? "embedded Fashion scenes, oracle captions"
            : "embedded Fashion scenes",
        model(),
        Embedded::backbone,
        32,
        Embedded::metaclass,
        train -> suffixes(train, captioning),
        DiffIISettings.embedded(),
        realFilter());
  }

  /**
   * Returns the measures of a synthetic set that Table 4 and Figure 7 report: {@code diversity},
   * the mean pairwise {@value Lpips#EMBEDDED_NAME} within a class, averaged over the classes (with
   * uniform weights over 4 layers it lies in [0, 16], not on the published LPIPS's scale), and
   * {@code clip_score}, the mean CLIP score (Hessel et al.) of the shipped tiny CLIP of each image
   * against its class's coarse prompt ("a photo of a footwear"): the tiny CLIP was never taught the
   * fine class names, so the coarse word is the class text it can judge.
   */
  public static List<SetMeasure> setMeasures() {
    return List.of(
        new SetMeasure(
            "diversity",
            "mean pairwise " + Lpips.EMBEDDED_NAME + " within a class",
            set -> {
              try (Lpips lpips = Lpips.embedded(backbone(Backbone.RESNET))) {
                return SetMetrics.diversity(lpips, set.byClass(), 32, 32);
              }
            }),
        new SetMeasure(
            "clip_score",
            "CLIP score (tiny CLIP) against \"a photo of a {coarse word}\"",
            set -> {
              try (ClipModel model = ClipModel.load(clip())) {
                return SetMetrics.clipScore(
                    new ClipScore(model),
                    set.byClass(),
                    c -> Captions.coarseOnly(CoarseGroup.ofFashion(c)),
                    32,
                    32);
              }
            }));
  }

  /**
   * Returns Table 4's and Figure 7's experiment on the embedded benchmark ({@link
   * AblationExperiment#table4()} by default), with {@link #setMeasures()}.
   */
  public static AblationExperiment ablation() {
    return AblationExperiment.on(benchmark(), Splits::fewShot).measures(setMeasures());
  }

  /** The embedded long-tail preset's largest class: 50 scenes (120–199 training scenes per IF). */
  public static final int LONG_TAIL_SIZE = 50;

  /**
   * Returns Table 2's experiment on the embedded benchmark: {@link Splits#longTail} with n_max
   * {@value #LONG_TAIL_SIZE}, shot groups by {@link ShotGroups#thirds}.
   */
  public static LongTailExperiment longTail() {
    return longTail(LongTail.Form.MAX, LONG_TAIL_SIZE, Captioning.CLASSIFIER);
  }

  /**
   * Returns Table 2's experiment on the embedded benchmark with the long-tail {@code form}: {@code
   * MAX} draws {@link Splits#longTail}{@code (size, IF, seed)}; {@code MEAN} applies the comparison
   * code's rule ({@link LongTail#of}) to a balanced draw of {@code size} scenes per class, so n̄ =
   * size. Shot groups are the thirds of the form's schedule.
   */
  public static LongTailExperiment longTail(LongTail.Form form, int size, Captioning captioning) {
    int classes = FashionMnist.CLASS_NAMES.size();
    LongTailExperiment.Splits splits =
        form == LongTail.Form.MAX
            ? (f, seed) -> Splits.longTail(size, f, seed)
            : (f, seed) -> LongTail.of(Splits.fewShot(size, seed), f, seed);
    return LongTailExperiment.on(
        benchmark(captioning),
        splits,
        f -> ShotGroups.thirds(size, f, classes, form.span(classes)));
  }

  /**
   * Returns Table 3's experiment on the embedded benchmark: {@link Splits#ood(int, double, long)},
   * each class's shots on its habitat's backgrounds with the experiment's correlation, 1,000 test
   * scenes per class balanced over the four (class habitat, background) groups.
   */
  public static OodExperiment ood() {
    return OodExperiment.on(benchmark(), Splits::ood);
  }

  /** Returns Table 1's experiment on the embedded benchmark ({@link Splits#fewShot(int, long)}). */
  public static FewShotExperiment fewShot() {
    return fewShot(Captioning.CLASSIFIER);
  }

  /**
   * Returns Table 1's experiment on the embedded benchmark captioned as {@code captioning} says.
   */
  public static FewShotExperiment fewShot(Captioning captioning) {
    return FewShotExperiment.on(benchmark(captioning), Splits::fewShot);
  }
}
