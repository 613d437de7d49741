package io.diffii.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.model.MicroBatch;
import io.diffii.model.StableDiffusion;
import io.diffii.schedule.DdimConfig;
import io.diffii.schedule.DdimInverseScheduler;
import io.diffii.schedule.DdimScheduler;
import io.diffii.schedule.GaussianNoise;
import io.diffii.schedule.Scheduler;
import java.util.List;
import java.util.Random;

/**
 * The text-to-image plumbing shared by every generator: prompts to embeddings, images to scaled
 * latents and back, DDIM sampling and DDIM inversion, all on one {@link StableDiffusion}. Images
 * are {@code [B, 3, H, W]} in [0, 1]; latents are scaled by the autoencoder's scaling factor.
 *
 * <p>Every model call runs in micro-batches of the size {@link MicroBatch} gives for the memory
 * budget, each in its own scope, so a batch of any size peaks at one micro-batch's intermediates;
 * every image is computed on its own, so the split changes no result.
 */
public final class SdPipeline {

  private final StableDiffusion sd;
  private final Denoiser denoiser;
  private final DdimConfig scheduleConfig;

  /**
   * Wraps a loaded model; its schedulers follow the folder's {@code scheduler_config.json}, or
   * Stable Diffusion's DDIM settings when the folder has none.
   */
  public SdPipeline(StableDiffusion sd) {
    this.sd = sd;
    this.denoiser = new Denoiser(sd.unet());
    this.scheduleConfig =
        sd.schedulerConfig()
            .map(json -> DdimConfig.fromJson(json, "scheduler/scheduler_config.json"))
            .orElse(DdimConfig.stableDiffusion());
  }

  /** Returns the noise schedule configuration the pipeline's schedulers use. */
  public DdimConfig scheduleConfig() {
    return scheduleConfig;
  }

  /** Returns the model. */
  public StableDiffusion model() {
    return sd;
  }

  /** Returns the prompt embeddings {@code [B, L, D]} of {@code prompts}, in {@code manager}. */
  public NDArray embed(NDManager manager, List<String> prompts) {
    int length = sd.tokenizer().maxLength();
    long[] ids = new long[Math.multiplyExact(prompts.size(), length)];
    for (int i = 0; i < prompts.size(); i++) {
      System.arraycopy(sd.tokenizer().encode(prompts.get(i)), 0, ids, i * length, length);
    }
    NDArray tokens = manager.create(ids, new Shape(prompts.size(), length));
    return MicroBatch.apply(
        tokens,
        MicroBatch.denoising(sd, false),
        (part, from, to) -> sd.textEncoder().encode(part).get(0));
  }

  /** Returns the scaled posterior-mean latents of images in [0, 1]. */
  public NDArray encode(NDArray images) {
    return MicroBatch.apply(
        images,
        MicroBatch.encoding(sd),
        (part, from, to) ->
            sd.vae().encode(part.mul(2).sub(1)).get(0).mul(sd.vae().scalingFactor()));
  }

  /** Returns images in [0, 1] decoded from scaled latents. */
  public NDArray decode(NDArray latents) {
    checkLatents("latents", latents, sd.vae().config().latentChannels());
    return MicroBatch.apply(
        latents,
        MicroBatch.decoding(sd),
        (part, from, to) ->
            sd.vae().decode(part.div(sd.vae().scalingFactor())).add(1).div(2).clip(0, 1));
  }

  /**
   * Returns Gaussian start latents {@code [n, c, h, w]} for the model's latent size, from {@code
   * random}.
   */
  public NDArray noise(NDManager manager, int n, Random random) {
    var cfg = sd.unet().config();
    Shape shape = new Shape(n, cfg.inChannels(), cfg.sampleSize(), cfg.sampleSize());
    return GaussianNoise.sample(manager, shape, ai.djl.ndarray.types.DataType.FLOAT32, random);
  }

  /**
   * Denoises {@code start} with DDIM over {@code steps} steps, conditioning per timestep as {@code
   * prompts} says, with classifier-free guidance {@code guidance} against the empty prompt.
   */
  public NDArray sample(NDArray start, PromptSchedule prompts, int steps, double guidance) {
    checkLatents("start", start, sd.unet().config().inChannels());
    NDArray uncond = null;
    if (guidance != 1.0) {
      int n = (int) start.getShape().get(0);
      uncond = embed(start.getManager(), java.util.Collections.nCopies(n, ""));
    }
    DdimScheduler scheduler = new DdimScheduler(scheduleConfig);
    return denoise(scheduler, scheduler.timesteps(steps), start, prompts, uncond, guidance);
  }

  /**
   * Runs {@link DenoisingLoop} from {@code start} over {@code timesteps} of {@code scheduler} (its
   * step count already fixed) in micro-batches: each micro-batch of latents goes through every
   * timestep with its rows of the prompt embeddings and of {@code uncond} (null when the guidance
   * is 1). The result lives in {@code start}'s manager.
   */
  public NDArray denoise(
      Scheduler scheduler,
      int[] timesteps,
      NDArray start,
      PromptSchedule prompts,
      NDArray uncond,
      double guidance) {
    return MicroBatch.apply(
        start,
        MicroBatch.denoising(sd, guidance != 1.0),
        (part, from, to) ->
            DenoisingLoop.run(
                denoiser,
                scheduler,
                timesteps,
                part,
                t -> MicroBatch.rows(prompts.at(t), part.getManager(), from, to),
                uncond == null ? null : MicroBatch.rows(uncond, part.getManager(), from, to),
                guidance));
  }

  /** Generates images for {@code prompts} from seeded noise. */
  public NDArray generate(
      NDManager manager, List<String> prompts, int steps, double guidance, long seed) {
    NDArray start = noise(manager, prompts.size(), new Random(seed));
    NDArray cond = embed(manager, prompts);
    return decode(sample(start, PromptSchedule.constant(cond), steps, guidance));
  }

  /**
   * DDIM-inverts (paper Eq. 4) scaled latents conditioned on {@code prompts} over {@code steps}
   * steps with guidance {@code guidance} (1 for a faithful round trip).
   */
  public NDArray invert(NDArray latents, List<String> prompts, int steps, double guidance) {
    checkLatents("latents", latents, sd.unet().config().inChannels());
    if (prompts.size() != latents.getShape().get(0)) {
      throw new IllegalArgumentException(
          "prompts: need one per latent, got "
              + prompts.size()
              + " for latents "
              + latents.getShape());
    }
    NDManager manager = latents.getManager();
    NDArray cond = embed(manager, prompts);
    NDArray uncond =
        guidance == 1.0 ? null : embed(manager, java.util.Collections.nCopies(prompts.size(), ""));
    DdimInverseScheduler scheduler = new DdimInverseScheduler(scheduleConfig);
    return denoise(
        scheduler,
        scheduler.timesteps(steps),
        latents,
        PromptSchedule.constant(cond),
        uncond,
        guidance);
  }

  /**
   * Rejects latents that are not {@code [B, channels, H, W]}, or that hold NaN or infinite values,
   * naming {@code argument}: the model would turn them into NaN images silently.
   */
  private static void checkLatents(String argument, NDArray latents, long channels) {
    Shape shape = latents.getShape();
    if (shape.dimension() != 4 || shape.get(1) != channels) {
      throw new IllegalArgumentException(
          argument + ": expected latents [B, " + channels + ", H, W], got " + shape);
    }
    try (NDManager scope = latents.getManager().newSubManager()) {
      NDArray bad = latents.isNaN().logicalOr(latents.isInfinite());
      bad.attach(scope);
      long count = bad.countNonzero().getLong();
      if (count > 0) {
        throw new IllegalArgumentException(
            argument + ": " + count + " of " + shape.size() + " latent values are NaN or infinite");
      }
    }
  }
}
