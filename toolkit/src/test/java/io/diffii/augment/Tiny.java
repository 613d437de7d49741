package io.diffii.augment;

import io.diffii.data.ImageDataset;
import io.diffii.data.RgbImage;
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

  /**
   * Returns {@code train} with each image framed by a white border of a different size, cycling
   * through 32×40, 38×32, 32×37 and 45×32 for 32×32 images: non-square images whose centre crop at
   * the shorter side (what {@code StableDiffusion.transform()} keeps) is the original, bit for bit.
   */
  public static ImageDataset framed(ImageDataset train) {
    int[][] extra = {{0, 8}, {6, 0}, {0, 5}, {13, 0}};
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < train.size(); i++) {
      Sample s = train.get(i);
      int[] e = extra[i % extra.length];
      samples.add(new Sample(s.id(), s.label(), s.attributes(), () -> frame(s.image(), e)));
    }
    return new ImageDataset(train.classNames(), samples);
  }

  /** Returns {@code im} inside a white border {@code extra[0]} rows and {@code extra[1]} wider. */
  private static RgbImage frame(RgbImage im, int[] extra) {
    int h = im.height() + extra[0];
    int w = im.width() + extra[1];
    // The smaller half of the border goes first, as a centre crop at ⌊(side − crop)/2⌋ expects.
    int top = extra[0] / 2;
    int left = extra[1] / 2;
    float[] d = new float[3 * h * w];
    java.util.Arrays.fill(d, 1f);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < im.height(); y++) {
        for (int x = 0; x < im.width(); x++) {
          d[(c * h + y + top) * w + x + left] = im.get(c, y, x);
        }
      }
    }
    return new RgbImage(h, w, d);
  }
}
