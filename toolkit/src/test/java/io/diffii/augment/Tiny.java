package io.diffii.augment;

import io.diffii.data.ImageDataset;
import io.diffii.data.Sample;
import io.diffii.data.Splits;
import io.diffii.embedded.Embedded;
import io.diffii.model.StableDiffusion;
import java.util.ArrayList;
import java.util.List;

/** Small data sets and the shipped model for the Diff-II tests. */
public final class Tiny {

  private Tiny() {}

  /** Loads the shipped embedded model (a fresh copy each call). */
  public static StableDiffusion model() {
    return StableDiffusion.load(Embedded.model());
  }

  /**
   * Returns the embedded settings shrunk for tests: 6 concept steps at batch 4, 8 inversion steps,
   * 6 sampling steps in batches of 4, expansion 2, seed {@code seed}.
   */
  public static DiffIISettings quick(long seed) {
    DiffIISettings s = DiffIISettings.embedded();
    return s.withConcept(s.concept().withSteps(6).withBatch(4))
        .withInversion(s.inversion().withSteps(8))
        .withSampling(s.sampling().withSteps(6).withBatch(4))
        .withExpansion(2)
        .withSeed(seed);
  }

  /**
   * Returns a data set of Fashion scenes with {@code counts[c]} images of each of the first {@code
   * counts.length} classes (taken from a 3-shot split, so at most 3 each).
   */
  public static ImageDataset scenes(int... counts) {
    ImageDataset train = Splits.fewShot(3, 0).train();
    List<Sample> samples = new ArrayList<>();
    int[] taken = new int[counts.length];
    for (Sample s : train.samples()) {
      if (s.label() < counts.length && taken[s.label()] < counts[s.label()]) {
        samples.add(s);
        taken[s.label()]++;
      }
    }
    return new ImageDataset(train.classNames().subList(0, counts.length), samples);
  }
}
