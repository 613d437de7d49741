package io.diffii.augment;

import java.util.Arrays;

/**
 * The generative baselines of Table 1, as the comparison code defines them (Diff-Mix's code base,
 * its baseline table copied into {@code docs/baselines.md}): how each makes a synthetic image —
 * from which source image, toward which class, with which prompt and model, at which SDEdit
 * strength — and how it labels it. {@link Baselines} generates them.
 *
 * <p>Every edit is {@link io.diffii.pipeline.ImageToImage} (SDEdit) of a real training image of the
 * source class toward the target class's prompt; Real-Gen has no source (text-to-image). The
 * strength of each image is drawn uniformly from the method's strengths. Same-class methods label
 * one-hot; the mixing methods (Real-Mix, Diff-Mix) label softly, {@link #softLabel}.
 */
public enum Baseline {
  /** Text-to-image with the base model and the class-name prompt. */
  REAL_GEN("Real-Gen", false, false, Prompt.CLASS_NAME, 1.0),
  /**
   * Real-Gen's images filtered by CLIP zero-shot ({@link ClipFilter}): the lowest 10 % by positive
   * confidence are dropped.
   */
  REAL_FILTER("Real-Filter", false, false, Prompt.CLASS_NAME, 1.0),
  /** SDEdit of a same-class image with the base model and the class-name prompt. */
  REAL_GUIDANCE("Real-Guidance", true, false, Prompt.CLASS_NAME, 0.1, 0.3, 0.5),
  /** SDEdit of an image toward another class's name with the base model; soft label. */
  REAL_MIX("Real-Mix", true, true, Prompt.CLASS_NAME, 0.3, 0.5, 0.7, 0.9),
  /** SDEdit of a same-class image with textual-inversion tokens alone (no LoRA), learned anew. */
  DA_FUSION("Da-Fusion", true, false, Prompt.TEXTUAL_INVERSION, 0.25, 0.5, 0.75, 1.0),
  /** SDEdit of a same-class image with the TI + LoRA concepts shared with Diff-II. */
  DIFF_AUG("Diff-AUG", true, false, Prompt.CONCEPT, 0.3, 0.5, 0.7, 0.9),
  /** SDEdit of an image toward another class's TI + LoRA concept; soft label. */
  DIFF_MIX("Diff-Mix", true, true, Prompt.CONCEPT, 0.3, 0.5, 0.7, 0.9);

  /** What conditions the generation. */
  public enum Prompt {
    /** "a photo of a {class name} {metaclass}" to the base model. */
    CLASS_NAME,
    /** "a photo of a [V] {metaclass}" with tokens learned by textual inversion alone. */
    TEXTUAL_INVERSION,
    /** "a photo of a [V] {metaclass}" with tokens and LoRA learned together (Sec. 3.1). */
    CONCEPT
  }

  private final String label;
  private final boolean source;
  private final boolean mixing;
  private final Prompt prompt;
  private final double[] strengths;

  Baseline(String label, boolean source, boolean mixing, Prompt prompt, double... strengths) {
    this.label = label;
    this.source = source;
    this.mixing = mixing;
    this.prompt = prompt;
    this.strengths = strengths;
  }

  /** Returns the name the tables use. */
  public String label() {
    return label;
  }

  /** Returns whether an image is edited from a real source image (false: text-to-image). */
  public boolean hasSource() {
    return source;
  }

  /** Returns whether the target class is another class than the source's (soft label). */
  public boolean mixing() {
    return mixing;
  }

  /** Returns what conditions the generation. */
  public Prompt prompt() {
    return prompt;
  }

  /** Returns the SDEdit strengths an image's strength is drawn from (1: text-to-image). */
  public double[] strengths() {
    return strengths.clone();
  }

  /**
   * Returns the soft label of an image edited from class {@code source} toward class {@code target}
   * at strength s, over {@code classes} classes: Diff-Mix's y = c·[(1 − s^γ)·onehot(source) +
   * s^γ·onehot(target)] plus (1 − c)/C on every class. The notes leave the remaining mass 1 − c
   * open; it is spread uniformly over all C classes here, as label smoothing spreads its ε, so the
   * label sums to 1. One-hot when source and target are the same class.
   */
  public static float[] softLabel(
      int classes, int source, int target, double strength, double gamma, double confidence) {
    float[] y = new float[classes];
    if (source == target) {
      y[target] = 1;
      return y;
    }
    double toTarget = Math.pow(strength, gamma);
    Arrays.fill(y, (float) ((1 - confidence) / classes));
    y[source] += (float) (confidence * (1 - toTarget));
    y[target] += (float) (confidence * toTarget);
    return y;
  }
}
