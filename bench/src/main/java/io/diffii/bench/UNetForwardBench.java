package io.diffii.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffii.model.UNetConfig;
import java.nio.file.Path;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * One UNet forward (inference) on Gaussian latents and a Gaussian text context, at the model's
 * latent side and prompt length: the embedded model (8×8 latents, 16 tokens) or the repository's
 * tiny diffusers fixture (8×8, 77 tokens). Batch 16 is concept learning's, 100 guided generation's
 * (50 images, conditional and unconditional).
 */
@State(Scope.Benchmark)
public class UNetForwardBench extends ModelBench {

  /** "embedded" or "fixture". */
  @Param({"embedded", "fixture"})
  public String model;

  /** Latents per forward. */
  @Param({"1", "8", "16", "100"})
  public int batch;

  private NDArray latents;
  private NDArray timesteps;
  private NDArray context;

  @Override
  protected Path folder() {
    return Models.folder(model);
  }

  @Override
  protected void prepare() {
    UNetConfig c = sd.unet().config();
    latents = inputs.randomNormal(new Shape(batch, c.inChannels(), latentSide(), latentSide()));
    timesteps = inputs.randomInteger(0, 1000, new Shape(batch), DataType.INT64);
    context = inputs.randomNormal(new Shape(batch, tokens(), c.crossAttentionDim().get(0)));
  }

  /** Predicts the noise of the batch. */
  @Benchmark
  public void unetForward(Blackhole bh) {
    try (Invocation run = Invocation.in(inputs)) {
      bh.consume(sd.unet().predictNoise(run.copy(latents), timesteps, context));
    }
  }

  @Override
  protected Facts facts(String method) {
    return Facts.of(
        batch, Flops.unet(sd.unet().config(), batch, latentSide(), tokens()), batch, "latents");
  }
}
