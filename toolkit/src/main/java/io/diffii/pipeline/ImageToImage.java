package io.diffii.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffii.schedule.DdimScheduler;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Image-to-image generation (SDEdit, Meng et al. 2022), the core of the editing baselines
 * (Real-Guidance, Real-Mix, Da-Fusion, Diff-AUG, Diff-Mix): the source's latent x₀ is noised to the
 * timestep t_s that the strength s picks (paper Eq. 1, \(x_{t_s} = \sqrt{\bar\alpha_{t_s}}\,x_0 +
 * \sqrt{1-\bar\alpha_{t_s}}\,\epsilon\)), then denoised by DDIM from t_s with classifier-free
 * guidance against the empty prompt. Any prompt, so any applied concepts, conditions it.
 *
 * <p>Which timesteps: those of diffusers' img2img pipeline, the last ⌊n·s⌋ of the n DDIM timesteps
 * ({@link DdimScheduler#timesteps(int, double)}). So t_s = (⌊n·s⌋ − 1)·T/n + {@code steps_offset},
 * one step of T/n below s·T when n·s is whole (SD's 25 steps at s = 0.4: t_s = 361, then 10 DDIM
 * steps), and ⌊n·s⌋ steps of T/n bring it to the clean sample, as if from s·T. Two ends are exact:
 * s = 0 denoises nothing and returns the source latent (decoded, the source's autoencoder round
 * trip); s = 1 starts from the noise itself, as text-to-image does (diffusers' inpainting pipeline
 * does the same at full strength: the schedule's first timestep still keeps √ᾱ of the source, which
 * full strength means to discard), so it equals text-to-image from the same noise.
 */
public final class ImageToImage {

  private final SdPipeline pipe;
  private final int steps;
  private final double guidance;

  /** Creates an editor of {@code steps} DDIM steps (at full strength) and guidance scale. */
  public ImageToImage(SdPipeline pipe, int steps, double guidance) {
    if (steps < 1 || !(guidance >= 1)) {
      throw new IllegalArgumentException(
          "image-to-image needs steps >= 1 and guidance >= 1, got " + steps + " and " + guidance);
    }
    this.pipe = pipe;
    this.steps = steps;
    this.guidance = guidance;
  }

  /**
   * Returns the timesteps denoised at strength {@code strength} ∈ [0, 1], descending; the first is
   * the one the source is noised to. Empty at strength 0.
   */
  public int[] timesteps(double strength) {
    return new DdimScheduler(pipe.scheduleConfig()).timesteps(steps, strength);
  }

  /**
   * Edits scaled source latents {@code [B, c, h, w]} toward one prompt per latent at one strength,
   * with standard normal {@code noise} shaped like them; returns the edited latents in the source's
   * manager.
   */
  public NDArray sample(NDArray source, NDArray noise, List<String> prompts, double strength) {
    long n = source.getShape().get(0);
    if (prompts.size() != n || !noise.getShape().equals(source.getShape())) {
      throw new IllegalArgumentException(
          "need one prompt per latent and noise shaped like the latents: "
              + source.getShape()
              + " latents, "
              + prompts.size()
              + " prompts, noise "
              + noise.getShape());
    }
    DdimScheduler scheduler = new DdimScheduler(pipe.scheduleConfig());
    int[] timesteps = scheduler.timesteps(steps, strength);
    NDManager manager = source.getManager();
    if (timesteps.length == 0) {
      return source.duplicate();
    }
    // 1. x_{t_s}: Eq. 1 at the first kept timestep, or the noise itself at full strength
    NDArray start =
        strength == 1 ? noise.duplicate() : scheduler.addNoise(source, noise, timesteps[0]);
    start.attach(manager);
    // 2. the prompts, and the empty prompt for classifier-free guidance
    NDArray cond = pipe.embed(manager, prompts);
    NDArray uncond = guidance == 1 ? null : pipe.embed(manager, Collections.nCopies((int) n, ""));
    // 3. DDIM from t_s down, as text-to-image from there
    return pipe.denoise(
        scheduler, timesteps, start, PromptSchedule.constant(cond), uncond, guidance);
  }

  /**
   * Edits images {@code [B, 3, H, W]} in [0, 1] (encoded to their posterior mean) and returns the
   * decoded images in [0, 1].
   */
  public NDArray images(NDArray images, NDArray noise, List<String> prompts, double strength) {
    return pipe.decode(sample(pipe.encode(images), noise, prompts, strength));
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT, "ImageToImage(%d DDIM steps, guidance %.1f)", steps, guidance);
  }
}
