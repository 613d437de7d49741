package io.diffii.invert;

import ai.djl.ndarray.NDArray;
import io.diffii.sample.DdimSampling;
import io.diffii.sample.Denoiser;
import io.diffii.sample.PromptSchedule;
import io.diffii.schedule.DdimInverseScheduler;

/**
 * DDIM inversion (paper Eq. 4): runs the deterministic DDIM update backwards, from a clean latent
 * to the noise latent that DDIM sampling would turn back into it. Conditioning on the image's own
 * prompt with guidance 1 keeps the round trip faithful; larger guidance breaks it (the released
 * pipeline, and this project's measurements, use 1).
 */
public final class DdimInversion {

  private DdimInversion() {}

  /**
   * Inverts {@code latents} ({@code [B, c, h, w]}, already scaled) over {@code steps} inverse DDIM
   * steps conditioned on {@code cond} with guidance {@code guidance} (uncond used when ≠ 1).
   */
  public static NDArray invert(
      Denoiser denoiser,
      DdimInverseScheduler scheduler,
      NDArray latents,
      int steps,
      NDArray cond,
      NDArray uncond,
      double guidance) {
    return DdimSampling.run(
        denoiser, scheduler.timesteps(steps), scheduler::step, latents,
        PromptSchedule.constant(cond), uncond, guidance);
  }
}
