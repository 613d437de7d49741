package io.diffii.embedded;

import io.diffii.augment.Captioner;
import io.diffii.augment.DiffII;
import io.diffii.augment.DiffIISettings;
import io.diffii.augment.SuffixSource;
import io.diffii.classify.Backbone;
import io.diffii.data.CoarseGroup;
import io.diffii.data.Context;
import io.diffii.data.ImageDataset;
import io.diffii.data.Splits;
import io.diffii.experiment.Benchmark;
import io.diffii.experiment.FewShotExperiment;
import io.diffii.model.StableDiffusion;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded default in one place: where the shipped model and backbones are, the metaclass word
 * of each fine class (its coarse group, the word the model was trained on), the scene captioner
 * that stands in for BLIP, Diff-II's settings for the tiny model, and the benchmark the experiment
 * runners measure on.
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

  /** The stand-in for BLIP: names the scene's context ("in the snow"). */
  public static Captioner captioner() {
    return sample -> Context.valueOf(sample.attribute(ImageDataset.CONTEXT)).phrase();
  }

  /**
   * Returns the suffixes of a scene training set: its captions, the most frequent first, at most
   * 10.
   */
  public static SuffixSource suffixes(ImageDataset train) {
    return SuffixSource.fromCaptions(train, captioner(), SuffixSource.mostFrequent());
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

  /** Returns the embedded benchmark: Fashion scenes at 32 px, the shipped model and backbones. */
  public static Benchmark benchmark() {
    return new Benchmark(
        "embedded Fashion scenes",
        model(),
        Embedded::backbone,
        32,
        Embedded::metaclass,
        Embedded::suffixes,
        DiffIISettings.embedded());
  }

  /** Returns Table 1's experiment on the embedded benchmark ({@link Splits#fewShot(int, long)}). */
  public static FewShotExperiment fewShot() {
    return FewShotExperiment.on(benchmark(), Splits::fewShot);
  }
}
