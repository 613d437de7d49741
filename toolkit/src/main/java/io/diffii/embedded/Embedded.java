package io.diffii.embedded;

import io.diffii.augment.DiffII;
import io.diffii.data.CoarseGroup;
import io.diffii.data.Context;
import io.diffii.data.ImageDataset;
import io.diffii.model.StableDiffusion;
import io.diffii.augment.Captioner;
import io.diffii.augment.SuffixSource;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The embedded default in one place: where the shipped model and backbones are, the metaclass
 * word of each fine class (its coarse group, the word the model was trained on), the scene
 * captioner that stands in for BLIP, and Diff-II's settings for the tiny model.
 */
public final class Embedded {

  /** Guidance scale of the embedded runs (the tiny model's colours saturate at 7.5). */
  public static final double GUIDANCE = 3.0;

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

  /** Returns the folder of the shipped backbone {@code name} ("resnet" or "vit"). */
  public static Path backbone(String name) {
    return require(root().resolve("data/models/backbones").resolve(name), "model.safetensors");
  }

  private static Path require(Path dir, String file) {
    if (!Files.isRegularFile(dir.resolve(file))) {
      throw new IllegalArgumentException(
          dir.toAbsolutePath() + " has no " + file + ": run bin/pretrain, or set -Ddiffii.root to the project folder");
    }
    return dir;
  }

  /** Returns the metaclass word of a Fashion-MNIST class: its coarse group ("top", "footwear" …). */
  public static String metaclass(int fineLabel) {
    return CoarseGroup.ofFashion(fineLabel).word();
  }

  /** The stand-in for BLIP: names the scene's context ("in the snow"). */
  public static Captioner captioner() {
    return sample -> Context.valueOf(sample.attribute(ImageDataset.CONTEXT)).phrase();
  }

  /** Returns the suffixes of a scene training set: its captions, the most frequent first, at most 10. */
  public static SuffixSource suffixes(ImageDataset train) {
    return SuffixSource.fromCaptions(train, captioner(), SuffixSource.mostFrequent());
  }

  /** Returns Diff-II on the embedded model for {@code train} (suffixes from its captions, guidance 3). */
  public static DiffII diffII(StableDiffusion sd, ImageDataset train) {
    return DiffII.on(sd).metaclass(Embedded::metaclass).suffixes(suffixes(train)).guidance(GUIDANCE);
  }
}
