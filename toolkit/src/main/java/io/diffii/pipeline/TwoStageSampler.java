package io.diffii.pipeline;

import ai.djl.ndarray.NDArray;
import io.diffii.schedule.TwoStageRule;
import java.util.List;
import java.util.Locale;

/**
 * Diff-II's two-stage denoising (paper Sec. 3.3): DDIM with classifier-free guidance against the
 * empty prompt, conditioned on the suffixed prompt ("a photo of a [V] bird" + " " + suffix) at the
 * timesteps {@link TwoStageRule} assigns to the first stage, and on the plain prompt below. The
 * split ratio s is the fraction of the trajectory, counted from pure noise, that the suffix steers:
 * 0 turns the first stage off, 1 uses the suffix throughout (reference-notes §4).
 *
 * <p>Released settings: 25 steps, guidance 7.5, s = 0.3 (5-shot) or 0.1 (10-shot).
 */
public final class TwoStageSampler {

  private final SdPipeline pipe;
  private final int steps;
  private final double guidance;
  private final TwoStageRule rule;

  /**
   * Creates a sampler of {@code steps} DDIM steps, guidance scale {@code guidance} and split ratio
   * s.
   */
  public TwoStageSampler(SdPipeline pipe, int steps, double guidance, double splitRatio) {
    if (steps < 1 || !(guidance >= 1)) {
      throw new IllegalArgumentException(
          "two-stage sampling needs steps >= 1 and guidance >= 1, got "
              + steps
              + " and "
              + guidance);
    }
    this.pipe = pipe;
    this.steps = steps;
    this.guidance = guidance;
    this.rule = TwoStageRule.of(splitRatio, pipe.scheduleConfig());
  }

  /** Returns the prompt the first stage uses: the plain prompt, a space, the suffix. */
  public static String suffixed(String plain, String suffix) {
    return plain + " " + suffix;
  }

  /**
   * Denoises start latents {@code [B, c, h, w]} with one plain prompt and one suffix per item and
   * returns the clean latents (in {@code start}'s manager).
   */
  public NDArray sample(NDArray start, List<String> plain, List<String> suffixes) {
    if (plain.size() != start.getShape().get(0) || suffixes.size() != plain.size()) {
      throw new IllegalArgumentException(
          "need one prompt and one suffix per latent: "
              + start.getShape().get(0)
              + " latents, "
              + plain.size()
              + " prompts, "
              + suffixes.size()
              + " suffixes");
    }
    NDArray plainEmb = pipe.embed(start.getManager(), plain);
    if (rule.splitRatio() == 0) {
      return pipe.sample(start, PromptSchedule.constant(plainEmb), steps, guidance);
    }
    List<String> first = new java.util.ArrayList<>();
    for (int i = 0; i < plain.size(); i++) {
      first.add(suffixed(plain.get(i), suffixes.get(i)));
    }
    NDArray suffixedEmb = pipe.embed(start.getManager(), first);
    return pipe.sample(start, t -> rule.suffixed(t) ? suffixedEmb : plainEmb, steps, guidance);
  }

  /** Like {@link #sample} but returns decoded images in [0, 1]. */
  public NDArray images(NDArray start, List<String> plain, List<String> suffixes) {
    return pipe.decode(sample(start, plain, suffixes));
  }

  /** Returns the split ratio s. */
  public double splitRatio() {
    return rule.splitRatio();
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "TwoStageSampler(%d DDIM steps, guidance %.1f, s = %.2f)",
        steps,
        guidance,
        splitRatio());
  }
}
