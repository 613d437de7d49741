package io.diffii.augment;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.data.ImageDataset;
import io.diffii.data.RgbImage;
import io.diffii.data.Sample;
import io.diffii.metrics.ClipScore;
import io.diffii.model.ClipModel;
import io.diffii.nn.Compute;
import io.diffii.nn.NoGrad;
import java.nio.file.Path;
import java.util.List;

/**
 * A zero-shot CLIP captioner, the full-scale stand-in for the paper's BLIP + language model: for
 * each training image it picks, from a fixed list of scene phrases, the one whose prompt "a photo
 * of a {metaclass} {phrase}" CLIP finds most probable for the image's pixels. The metaclass word is
 * the data set's one word ("bird"), the same for every image, so no caption depends on an image's
 * label; the phrases become Diff-II's suffixes through {@link SuffixSource#mostFrequent()}.
 *
 * <pre>{@code
 * SuffixSource s = ClipCaptioner.suffixes(Path.of("clip-vit-base-patch32"), "bird", ClipCaptioner.SCENES, train);
 * }</pre>
 */
public final class ClipCaptioner implements Captioner, AutoCloseable {

  /**
   * The default scene phrases: where and how a photographed object is seen (scene, pose, zoom), in
   * the paper's suffix style ("flying over water", "standing on a tree branch"); generic enough for
   * birds, pets, aircraft and cars. A data set with other scenes gives its own list.
   */
  public static final List<String> SCENES =
      List.of(
          "in the water",
          "flying over water",
          "flying in the sky",
          "standing on a tree branch",
          "on the grass",
          "on the ground",
          "in the snow",
          "on a beach",
          "in a forest",
          "in a field",
          "on a rock",
          "on a road",
          "on a runway",
          "indoors",
          "on a sofa",
          "in a close-up",
          "seen from far away");

  private final ClipModel model;
  private final ClipScore score;
  private final List<String> phrases;
  private final List<String> prompts;

  private ClipCaptioner(ClipModel model, String metaclass, List<String> phrases) {
    if (phrases.size() < 2) {
      throw new IllegalArgumentException(
          "a CLIP captioner needs at least 2 phrases, got " + phrases);
    }
    this.model = model;
    this.score = new ClipScore(model);
    this.phrases = List.copyOf(phrases);
    this.prompts = phrases.stream().map(p -> "a photo of a " + metaclass + " " + p).toList();
  }

  /**
   * Loads the transformers {@code CLIPModel} folder {@code clip} and returns a captioner choosing
   * among {@code phrases} for images of {@code metaclass}es; close it to free the model.
   */
  public static ClipCaptioner open(Path clip, String metaclass, List<String> phrases) {
    ClipModel model = ClipModel.load(clip);
    try {
      return new ClipCaptioner(model, metaclass, phrases);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /**
   * Returns the suffixes of {@code train}: every image captioned by a captioner of {@code clip},
   * the most frequent phrases first, at most {@link SuffixSource#MAX_SUFFIXES}.
   */
  public static SuffixSource suffixes(
      Path clip, String metaclass, List<String> phrases, ImageDataset train) {
    try (ClipCaptioner captioner = open(clip, metaclass, phrases)) {
      return SuffixSource.fromCaptions(train, captioner, SuffixSource.mostFrequent());
    }
  }

  /** Returns the phrase CLIP finds most probable for the sample's image (its label is unused). */
  @Override
  public String caption(Sample sample) {
    RgbImage image = sample.image();
    // Images differ in size, so each is embedded alone; CLIP's processor resizes and crops it.
    try (NoGrad off = NoGrad.open();
        NDManager m = Compute.newManager()) {
      int best =
          score
              .zeroShot(
                  m.create(image.data(), new Shape(1, 3, image.height(), image.width())), prompts)[
              0];
      return phrases.get(best);
    }
  }

  /** Frees the CLIP model. */
  @Override
  public void close() {
    model.close();
  }
}
