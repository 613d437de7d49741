package io.diffii.augment;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.diffii.concept.ConceptLearner;
import io.diffii.io.Digests;
import java.util.Locale;

/**
 * Everything that decides what Diff-II makes from a training set, as one immutable value: concept
 * learning, inversion, sampling, the expansion rate and the seed of every draw. Start from a preset
 * and change parts with the {@code with…} copies:
 *
 * <pre>{@code
 * DiffIISettings s = DiffIISettings.embedded().withSeed(3);
 * s = s.withConcept(s.concept().withSteps(100)).withSampling(s.sampling().withSplitRatio(0.1));
 * }</pre>
 *
 * <p>{@link #hash} names the values; run folders, manifest lines and experiment rows record it so
 * that nothing made with other settings is ever taken for this run's.
 *
 * @param concept concept learning (textual inversion + LoRA), or none
 * @param inversion DDIM inversion and the interpolation of start latents
 * @param sampling two-stage DDIM sampling
 * @param expansion synthetic images per real image of a class
 * @param seed seeds the concepts, the plan of every image (pair, λ, suffix) and its noise
 */
public record DiffIISettings(
    Concept concept, Inversion inversion, Sampling sampling, int expansion, long seed) {

  /**
   * Concept learning (paper Sec. 3.1): one token per class and LoRA adapters shared by all classes.
   *
   * @param enabled false: prompts name the class instead (the ablation's switch)
   * @param vectors token vectors per class
   * @param rank LoRA rank
   * @param alpha LoRA α
   * @param steps optimiser steps
   * @param batch images per step
   * @param loraLr learning rate of the LoRA weights
   * @param tokenLr learning rate of the token vectors
   * @param weightDecay AdamW's decoupled weight decay
   * @param balanced draw a class uniformly, then one of its images (for long-tailed data)
   */
  public record Concept(
      boolean enabled,
      int vectors,
      int rank,
      float alpha,
      int steps,
      int batch,
      double loraLr,
      double tokenLr,
      double weightDecay,
      boolean balanced) {

    /** Validates the ranges. */
    public Concept {
      if (vectors < 1
          || rank < 1
          || !(alpha > 0)
          || steps < 1
          || batch < 1
          || !(loraLr > 0)
          || !(tokenLr > 0)
          || !(weightDecay >= 0)) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "invalid concept settings: %d vectors, rank %d, α %g, %d steps, batch %d, lr %g/%g, weight decay %g",
                vectors,
                rank,
                alpha,
                steps,
                batch,
                loraLr,
                tokenLr,
                weightDecay));
      }
    }

    /** Returns a copy with concept learning on or off. */
    public Concept withEnabled(boolean on) {
      return new Concept(
          on, vectors, rank, alpha, steps, batch, loraLr, tokenLr, weightDecay, balanced);
    }

    /** Returns a copy with another number of steps. */
    public Concept withSteps(int n) {
      return new Concept(
          enabled, vectors, rank, alpha, n, batch, loraLr, tokenLr, weightDecay, balanced);
    }

    /** Returns a copy with another batch size. */
    public Concept withBatch(int n) {
      return new Concept(
          enabled, vectors, rank, alpha, steps, n, loraLr, tokenLr, weightDecay, balanced);
    }

    /** Returns a copy with class-balanced draws on or off. */
    public Concept withBalanced(boolean on) {
      return new Concept(
          enabled, vectors, rank, alpha, steps, batch, loraLr, tokenLr, weightDecay, on);
    }

    /** Sets these values on {@code learner} and returns it. */
    public ConceptLearner applyTo(ConceptLearner learner) {
      return learner
          .vectorsPerClass(vectors)
          .lora(rank, alpha)
          .steps(steps)
          .batch(batch)
          .lr(loraLr, tokenLr)
          .weightDecay(weightDecay)
          .balanced(balanced);
    }
  }

  /**
   * DDIM inversion of every real image, and how start latents are made from the inversions.
   *
   * @param steps DDIM inversion steps
   * @param interpolation how a pair of inversions becomes a start latent
   */
  public record Inversion(int steps, Interpolation interpolation) {

    /** Validates the ranges. */
    public Inversion {
      if (steps < 1 || interpolation == null) {
        throw new IllegalArgumentException(
            "invalid inversion settings: " + steps + " steps, " + interpolation);
      }
    }

    /** Returns a copy with another number of steps. */
    public Inversion withSteps(int n) {
      return new Inversion(n, interpolation);
    }

    /** Returns a copy with another interpolation. */
    public Inversion withInterpolation(Interpolation mode) {
      return new Inversion(steps, mode);
    }
  }

  /**
   * Two-stage DDIM sampling (paper Sec. 3.3).
   *
   * @param steps DDIM sampling steps
   * @param guidance classifier-free guidance scale
   * @param twoStage false: the plain prompt at every step
   * @param splitRatio s, the fraction of the trajectory denoised with a suffixed prompt (the paper:
   *     0.3 for 5-shot, 0.1 for 10-shot, 1.0 long-tail)
   * @param batch images denoised together (batches of a fixed plan, so it does not change which
   *     images are made)
   */
  public record Sampling(
      int steps, double guidance, boolean twoStage, double splitRatio, int batch) {

    /** Validates the ranges. */
    public Sampling {
      if (steps < 1 || !(guidance >= 1) || !(splitRatio >= 0 && splitRatio <= 1) || batch < 1) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "invalid sampling settings: %d steps, guidance %g, s %g, batch %d",
                steps,
                guidance,
                splitRatio,
                batch));
      }
    }

    /** Returns a copy with another number of steps. */
    public Sampling withSteps(int n) {
      return new Sampling(n, guidance, twoStage, splitRatio, batch);
    }

    /** Returns a copy with another guidance scale. */
    public Sampling withGuidance(double g) {
      return new Sampling(steps, g, twoStage, splitRatio, batch);
    }

    /** Returns a copy with two-stage denoising on or off. */
    public Sampling withTwoStage(boolean on) {
      return new Sampling(steps, guidance, on, splitRatio, batch);
    }

    /** Returns a copy with another split ratio s. */
    public Sampling withSplitRatio(double s) {
      return new Sampling(steps, guidance, twoStage, s, batch);
    }

    /** Returns a copy with another batch size. */
    public Sampling withBatch(int n) {
      return new Sampling(steps, guidance, twoStage, splitRatio, n);
    }
  }

  /** Validates the parts and the expansion rate. */
  public DiffIISettings {
    if (concept == null || inversion == null || sampling == null || expansion < 1) {
      throw new IllegalArgumentException(
          "Diff-II settings need concept, inversion, sampling and expansion >= 1");
    }
  }

  /**
   * The embedded model's settings: concepts of rank 4 in 600 steps at batch 16 (lr 1e-3 for LoRA,
   * 5e-3 for the tokens), 50 inversion steps, 25 sampling steps at guidance 3 (the tiny model's
   * colours saturate at 7.5), s = 0.3, expansion 5, seed 0.
   */
  public static DiffIISettings embedded() {
    return new DiffIISettings(
        new Concept(true, 1, 4, 4, 600, 16, 1e-3, 5e-3, 1e-2, false),
        new Inversion(50, Interpolation.CIRCLE),
        new Sampling(25, 3.0, true, 0.3, 50),
        5,
        0);
  }

  /**
   * The released Stable Diffusion settings: concepts of rank 10 (α 10) in 35,000 steps at batch 2,
   * lr 5e-5 for both, 200 inversion steps, 25 sampling steps at guidance 7.5, s = 0.3, expansion 5,
   * seed 0.
   */
  public static DiffIISettings released() {
    return new DiffIISettings(
        new Concept(true, 1, 10, 10, 35_000, 2, 5e-5, 5e-5, 1e-2, false),
        new Inversion(200, Interpolation.CIRCLE),
        new Sampling(25, 7.5, true, 0.3, 50),
        5,
        0);
  }

  /** Returns a copy with other concept settings. */
  public DiffIISettings withConcept(Concept c) {
    return new DiffIISettings(c, inversion, sampling, expansion, seed);
  }

  /** Returns a copy with other inversion settings. */
  public DiffIISettings withInversion(Inversion i) {
    return new DiffIISettings(concept, i, sampling, expansion, seed);
  }

  /** Returns a copy with other sampling settings. */
  public DiffIISettings withSampling(Sampling s) {
    return new DiffIISettings(concept, inversion, s, expansion, seed);
  }

  /** Returns a copy with another expansion rate. */
  public DiffIISettings withExpansion(int rate) {
    return new DiffIISettings(concept, inversion, sampling, rate, seed);
  }

  /** Returns a copy with another seed. */
  public DiffIISettings withSeed(long s) {
    return new DiffIISettings(concept, inversion, sampling, expansion, s);
  }

  /** Returns the values as JSON, in component order. */
  public JsonObject toJson() {
    return new Gson().toJsonTree(this).getAsJsonObject();
  }

  /** Returns the SHA-256 of {@link #toJson}, which names these values. */
  public String hash() {
    return Digests.of(toJson().toString());
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "DiffIISettings(concepts %s, %s inversion steps, %s, two-stage %s, s %.2f, guidance %.1f, %d steps, expansion %d, seed %d)",
        concept.enabled() ? concept.steps() + " steps rank " + concept.rank() : "off",
        inversion.steps(),
        inversion.interpolation(),
        sampling.twoStage() ? "on" : "off",
        sampling.splitRatio(),
        sampling.guidance(),
        sampling.steps(),
        expansion,
        seed);
  }
}
