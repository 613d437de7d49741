package io.diffii.experiment;

import io.diffii.augment.ClipFilter;
import io.diffii.augment.DiffIISettings;
import io.diffii.augment.SuffixSource;
import io.diffii.classify.Backbone;
import io.diffii.data.ImageDataset;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * What a runner measures on, apart from the splits: the Stable Diffusion folder Diff-II runs on,
 * the pretrained backbones, the image size classifiers see, the prompts' metaclass words, the
 * suffix source of a training set and the Diff-II settings that suit the model. The embedded
 * benchmark is one preset ({@code io.diffii.embedded.Embedded#benchmark}).
 *
 * @param name names the benchmark in tables and in every row's settings
 * @param model a diffusers-layout Stable Diffusion folder
 * @param backbones the folder of each pretrained backbone
 * @param imageSize the side classifiers train and test at; each backbone's {@code
 *     Classifier.transform()} must crop to it
 * @param metaclass each class's metaclass word, the prompts' last word
 * @param suffixes the first denoising stage's suffixes for a training set
 * @param diffII the Diff-II settings for this model (a runner's settings and seeds adjust them)
 * @param realFilter Real-Filter's CLIP filter, or null when the benchmark has no CLIP model (a plan
 *     with Real-Filter then stops before any work)
 */
public record Benchmark(
    String name,
    Path model,
    Function<Backbone, Path> backbones,
    int imageSize,
    IntFunction<String> metaclass,
    Function<ImageDataset, SuffixSource> suffixes,
    DiffIISettings diffII,
    ClipFilter realFilter) {

  /** A benchmark without a CLIP model (Real-Filter cannot run on it). */
  public Benchmark(
      String name,
      Path model,
      Function<Backbone, Path> backbones,
      int imageSize,
      IntFunction<String> metaclass,
      Function<ImageDataset, SuffixSource> suffixes,
      DiffIISettings diffII) {
    this(name, model, backbones, imageSize, metaclass, suffixes, diffII, null);
  }
}
