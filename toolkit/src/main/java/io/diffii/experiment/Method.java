package io.diffii.experiment;

import io.diffii.augment.Baseline;
import io.diffii.classify.BatchMix;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The compared ways of training a downstream classifier, in Table 1's order: real images only (CE
 * in Table 2), the classic batch mixes, Table 2's long-tail baselines CMO and CMO-DRW, the
 * generative baselines ({@link Baseline}) and Diff-II. Every method that makes synthetic images
 * mixes them in by the recipe's replacement probability.
 */
public enum Method {
  /** Real images only. */
  ORIGINAL("Original", null, BatchMix.NONE),
  /** Real images, Mixup of half the batches. */
  MIXUP("Mixup", null, BatchMix.MIXUP),
  /** Real images, CutMix of half the batches. */
  CUTMIX("CutMix", null, BatchMix.CUTMIX),
  /** Real images, CMO (CutMix from a minority-weighted batch) on half the batches. */
  CMO("CMO", null, BatchMix.CMO),
  /**
   * CMO with deferred re-weighting (class-balanced loss from 80 % of the epochs); needs a recipe
   * with {@link io.diffii.classify.TrainConfig.LongTail}.
   */
  CMO_DRW("CMO-DRW", null, BatchMix.CMO),
  /** Text-to-image with the class-name prompt. */
  REAL_GEN("Real-Gen", Baseline.REAL_GEN, BatchMix.NONE),
  /** Real-Gen's images filtered by CLIP zero-shot, the lowest 10 % dropped. */
  REAL_FILTER("Real-Filter", Baseline.REAL_FILTER, BatchMix.NONE),
  /** SDEdit of a same-class image with the class-name prompt. */
  REAL_GUIDANCE("Real-Guidance", Baseline.REAL_GUIDANCE, BatchMix.NONE),
  /** SDEdit toward another class's name, soft label. */
  REAL_MIX("Real-Mix", Baseline.REAL_MIX, BatchMix.NONE),
  /** SDEdit with textual-inversion tokens alone. */
  DA_FUSION("Da-Fusion", Baseline.DA_FUSION, BatchMix.NONE),
  /** SDEdit with the shared TI + LoRA concept of the same class. */
  DIFF_AUG("Diff-AUG", Baseline.DIFF_AUG, BatchMix.NONE),
  /** SDEdit toward another class's shared TI + LoRA concept, soft label. */
  DIFF_MIX("Diff-Mix", Baseline.DIFF_MIX, BatchMix.NONE),
  /** Real images mixed with Diff-II's synthetic images by the replacement probability. */
  DIFF_II("Diff-II", null, BatchMix.NONE);

  private final String label;
  private final Baseline baseline;
  private final BatchMix mix;

  Method(String label, Baseline baseline, BatchMix mix) {
    this.label = label;
    this.baseline = baseline;
    this.mix = mix;
  }

  /** Returns the name the tables use. */
  public String label() {
    return label;
  }

  /**
   * Returns the generative baseline this method trains with, or null (Original, mixes, Diff-II).
   */
  public Baseline baseline() {
    return baseline;
  }

  /** Returns the batch mix the classifier trains with. */
  public BatchMix mix() {
    return mix;
  }

  /** Returns whether the method re-weights the loss per class late in training (DRW). */
  public boolean reweights() {
    return this == CMO_DRW;
  }

  /** Returns whether the method mixes synthetic images into training. */
  public boolean synthetic() {
    return baseline != null || this == DIFF_II;
  }

  /**
   * Returns the method named {@code name} (its label or constant, any case), with a clear error
   * otherwise.
   */
  public static Method of(String name) {
    // Table 2 calls plain training "CE" (cross-entropy on real images).
    if (name.strip().equalsIgnoreCase("ce")) {
      return ORIGINAL;
    }
    for (Method m : values()) {
      if (m.label.equalsIgnoreCase(name.strip()) || m.name().equalsIgnoreCase(name.strip())) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown method "
            + name
            + "; use one of "
            + Arrays.stream(values()).map(Method::label).collect(Collectors.joining(", ")));
  }
}
