package io.diffii.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.diffii.io.Interruption;
import io.diffii.schedule.Scheduler;

/**
 * The denoising loop that sampling and DDIM inversion share: at each of the scheduler's timesteps,
 * one guided noise prediction and one scheduler update. The loop only wires a {@link Denoiser} to a
 * {@link Scheduler}; neither knows the other. Interrupting the thread stops it before its next step
 * ({@link Interruption}).
 */
public final class DenoisingLoop {

  private DenoisingLoop() {}

  /**
   * Runs {@code scheduler} over {@code steps} steps from {@code start}, conditioning as {@code
   * prompts} says, with the unconditional embeddings {@code uncond} and guidance scale {@code
   * guidance} ({@code uncond} may be null when the scale is 1). Each step runs in its own
   * sub-manager; the result lives in {@code start}'s manager.
   */
  public static NDArray run(
      Denoiser denoiser,
      Scheduler scheduler,
      int steps,
      NDArray start,
      PromptSchedule prompts,
      NDArray uncond,
      double guidance) {
    return run(denoiser, scheduler, scheduler.timesteps(steps), start, prompts, uncond, guidance);
  }

  /**
   * Runs {@code scheduler} over the given {@code timesteps} only (a tail of its schedule, as
   * image-to-image starts part-way; the scheduler's step count must already be fixed), otherwise as
   * {@link #run(Denoiser, Scheduler, int, NDArray, PromptSchedule, NDArray, double)}. No timestep
   * returns {@code start} itself.
   */
  public static NDArray run(
      Denoiser denoiser,
      Scheduler scheduler,
      int[] timesteps,
      NDArray start,
      PromptSchedule prompts,
      NDArray uncond,
      double guidance) {
    NDManager manager = start.getManager();
    NDArray latents = start;
    for (int t : timesteps) {
      Interruption.check("denoising loop before timestep " + t);
      try (NDManager step = manager.newSubManager()) {
        // An operation's result lives in its first operand's manager: views in the step's manager
        // keep every intermediate of the UNet there, instead of piling up in the caller's.
        NDArray x = view(latents, step);
        NDArray eps =
            denoiser.predict(x, t, view(prompts.at(t), step), view(uncond, step), guidance);
        NDArray next = scheduler.step(eps, t, x);
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
