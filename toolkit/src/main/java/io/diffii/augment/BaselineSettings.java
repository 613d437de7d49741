package io.diffii.augment;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.diffii.io.Digests;
import java.util.Locale;

/**
 * What decides a baseline's synthetic images besides its definition ({@link Baseline}): sampling,
 * expansion, the soft-label constants and the concept-learning settings, as one immutable value.
 * {@link #of} takes everything it shares with Diff-II from Diff-II's settings, so every method runs
 * with the same steps, guidance, expansion, concepts and seed.
 *
 * @param steps DDIM steps at full strength (an edit at strength s runs ⌊steps·s⌋ of them)
 * @param guidance classifier-free guidance scale
 * @param batch images denoised together (batches of a fixed plan)
 * @param expansion synthetic images per real image of a class
 * @param gamma γ of Diff-Mix's soft label (0.8)
 * @param confidence c of Diff-Mix's soft label (0.9 few-shot, 1.0 long-tail)
 * @param concept concept learning for Da-Fusion (its LoRA rank ignored: textual inversion alone)
 *     and for the TI + LoRA concepts of Diff-AUG and Diff-Mix
 * @param seed seeds the plan of every image (source, target, strength) and its noise
 */
public record BaselineSettings(
    int steps,
    double guidance,
    int batch,
    int expansion,
    double gamma,
    double confidence,
    DiffIISettings.Concept concept,
    long seed) {

  /** Validates the ranges. */
  public BaselineSettings {
    if (steps < 1
        || !(guidance >= 1)
        || batch < 1
        || expansion < 1
        || !(gamma > 0)
        || !(confidence > 0 && confidence <= 1)
        || concept == null) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "invalid baseline settings: %d steps, guidance %g, batch %d, expansion %d, γ %g, c %g, concept %s",
              steps,
              guidance,
              batch,
              expansion,
              gamma,
              confidence,
              concept));
    }
  }

  /**
   * Returns the settings shared with {@code diffII} (sampling steps, guidance, batch, expansion,
   * concept learning, seed) with the comparison code's γ = 0.8 and few-shot c = 0.9.
   */
  public static BaselineSettings of(DiffIISettings diffII) {
    return new BaselineSettings(
        diffII.sampling().steps(),
        diffII.sampling().guidance(),
        diffII.sampling().batch(),
        diffII.expansion(),
        0.8,
        0.9,
        diffII.concept(),
        diffII.seed());
  }

  /** Returns a copy with another seed. */
  public BaselineSettings withSeed(long s) {
    return new BaselineSettings(steps, guidance, batch, expansion, gamma, confidence, concept, s);
  }

  /** Returns a copy with another Diff-Mix label confidence c (1.0 for long-tail). */
  public BaselineSettings withConfidence(double c) {
    return new BaselineSettings(steps, guidance, batch, expansion, gamma, c, concept, seed);
  }

  /** Returns a copy with another expansion rate. */
  public BaselineSettings withExpansion(int rate) {
    return new BaselineSettings(steps, guidance, batch, rate, gamma, confidence, concept, seed);
  }

  /** Returns the values as JSON, in component order. */
  public JsonObject toJson() {
    return new Gson().toJsonTree(this).getAsJsonObject();
  }

  /** Returns the SHA-256 of {@link #toJson}, which names these values. */
  public String hash() {
    return Digests.of(toJson().toString());
  }
}
