package io.diffii.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffii.schedule.DdimScheduler;

/**
 * The DDIM denoising loop (η = 0): from a start latent at the noisiest timestep down to a clean
 * latent, one guided noise prediction per step. The loop only wires a {@link Denoiser} to a
 * {@link DdimScheduler}; neither knows the other.
 */
public final class DdimSampling {

  private DdimSampling() {}

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
    NDManager manager = start.getManager();
    NDArray latents = start;
    for (int t : scheduler.timesteps(steps)) {
      try (NDManager step = manager.newSubManager()) {
        NDArray eps = denoiser.predict(latents, t, prompts.at(t), uncond, guidance);
        eps.tempAttach(step);
        NDArray next = scheduler.step(eps, t, latents);
        next.attach(manager);
        if (latents != start) {
          latents.close();
        }
        latents = next;
      }
    }
    return latents;
  }
}
