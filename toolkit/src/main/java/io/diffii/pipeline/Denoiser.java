package io.diffii.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import io.diffii.model.UNet2DConditionModel;
import io.diffii.schedule.Guidance;

/**
 * The noise prediction a sampler steps with: the UNet's ε for the conditional prompt, combined with
 * the unconditional (empty-prompt) prediction by classifier-free guidance when the scale is not 1.
 * Both branches run as one batch.
 */
public final class Denoiser {

  private final UNet2DConditionModel unet;

  /** Wraps a UNet. */
  public Denoiser(UNet2DConditionModel unet) {
    this.unet = unet;
  }

  /** Returns the UNet. */
  public UNet2DConditionModel unet() {
    return unet;
  }

  /**
   * Returns the guided noise prediction for {@code latents [B, c, h, w]} at timestep {@code t},
   * with prompt embeddings {@code cond} and {@code uncond} ({@code [B, L, D]}); {@code uncond} is
   * unused (may be null) when {@code guidance == 1}.
   */
  public NDArray predict(NDArray latents, int t, NDArray cond, NDArray uncond, double guidance) {
    NDArray timestep = latents.getManager().create(new long[] {t}).toType(DataType.INT64, false);
    if (guidance == 1.0) {
      return unet.predictNoise(latents, timestep, cond);
    }
    NDArray both =
        unet.predictNoise(
            NDArrays.concat(new NDList(latents, latents)),
            timestep,
            NDArrays.concat(new NDList(uncond, cond)));
    NDList halves = both.split(2);
    return Guidance.guidance(halves.get(0), halves.get(1), guidance);
  }
}
