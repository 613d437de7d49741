package io.diffii.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.diffii.schedule.DdimScheduler;

/**
 * The DDIM denoising loop (η = 0): from a start latent at the noisiest timestep down to a clean
 * latent, one guided noise prediction per step. The loop only wires a {@link Denoiser} to a
 * {@link DdimScheduler}; neither knows the other.
 */
public final class DdimSampling {

  private DdimSampling() {}

  /** One scheduler update: the next sample from the noise prediction at timestep t. */
  @FunctionalInterface
  public interface Update {
    /** Returns the next sample. */
    NDArray step(NDArray modelOutput, int t, NDArray sample);
  }

  /**
   * Denoises {@code start} over {@code steps} DDIM steps with the prompts of {@code prompts}, the
   * unconditional embeddings {@code uncond} and guidance scale {@code guidance}. Each step runs in
   * its own sub-manager; the result lives in {@code start}'s manager.
   */
  public static NDArray denoise(
      Denoiser denoiser,
      DdimScheduler scheduler,
      NDArray start,
      int steps,
      PromptSchedule prompts,
      NDArray uncond,
      double guidance) {
    return run(denoiser, scheduler.timesteps(steps), scheduler::step, start, prompts, uncond, guidance);
  }

  /**
   * Runs {@code update} over {@code timesteps} from {@code start}, predicting the noise at each:
   * the loop that sampling and inversion share. Each step runs in its own sub-manager; the result
   * lives in {@code start}'s manager.
   */
  public static NDArray run(
      Denoiser denoiser,
      int[] timesteps,
      Update update,
      NDArray start,
      PromptSchedule prompts,
      NDArray uncond,
      double guidance) {
    NDManager manager = start.getManager();
    NDArray latents = start;
    for (int t : timesteps) {
      try (NDManager step = manager.newSubManager()) {
        // An operation's result lives in its first operand's manager: views in the step's manager
        // keep every intermediate of the UNet there, instead of piling up in the caller's.
        NDArray x = view(latents, step);
        NDArray eps = denoiser.predict(x, t, view(prompts.at(t), step), view(uncond, step), guidance);
        NDArray next = update.step(eps, t, x);
        next.attach(manager);
        if (latents != start) {
          latents.close();
        }
        latents = next;
      }
    }
    return latents;
  }

  private static NDArray view(NDArray array, NDManager manager) {
    return array == null ? null : array.get(manager, new NDIndex("..."));
  }
}
