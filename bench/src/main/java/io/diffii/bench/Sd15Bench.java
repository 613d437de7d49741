package io.diffii.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.model.AutoencoderKL;
import io.diffii.model.ClipTextConfig;
import io.diffii.model.UNet2DConditionModel;
import io.diffii.model.UNetConfig;
import io.diffii.model.VaeConfig;
import io.diffii.nn.Compute;
import io.diffii.pipeline.Denoiser;
import io.diffii.schedule.DdimConfig;
import io.diffii.schedule.DdimScheduler;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Stable Diffusion 1.5 at its real size, on random weights (no download, no model folder): one
 * guided DDIM step of the {@code sd15} UNet on 64×64 latents (one image, so a UNet batch of 2:
 * conditional and unconditional, 77 tokens of width 768) and one 512×512 decode of the {@code sd15}
 * autoencoder. What full scale costs per step on this machine, and the peak resident memory of a
 * process that holds both models in fp32 (≈ 3.8 GB of weights) while attention runs in the query
 * chunks {@link Compute#chunkBytes()} allows.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class Sd15Bench {

  private static final double GUIDANCE = 7.5;
  private static final int TOKENS = ClipTextConfig.sd15().maxPositionEmbeddings();

  private NDManager manager;
  private UNet2DConditionModel unet;
  private AutoencoderKL vae;
  private NDArray latents;
  private NDArray cond;
  private NDArray uncond;
  private DdimScheduler scheduler;
  private Denoiser denoiser;
  private int midTimestep;

  /** Builds both models with random weights and the inputs from seed 0. */
  @Setup(Level.Trial)
  public void build() {
    manager = Compute.newManager();
    Engine.getInstance().setRandomSeed(0);
    unet = new UNet2DConditionModel(UNetConfig.sd15());
    unet.initializeParameters(manager);
    vae = new AutoencoderKL(VaeConfig.sd15());
    vae.initializeParameters(manager);
    UNetConfig c = unet.config();
    int side = c.sampleSize();
    latents = manager.randomNormal(new Shape(1, c.inChannels(), side, side));
    Shape context = new Shape(1, TOKENS, c.crossAttentionDim().get(0));
    cond = manager.randomNormal(context);
    uncond = manager.randomNormal(context);
    scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
    denoiser = new Denoiser(unet);
    int[] timesteps = scheduler.timesteps(25);
    midTimestep = timesteps[timesteps.length / 2];
  }

  /** Records the facts of the run and frees both models. */
  @TearDown(Level.Trial)
  public void close(BenchmarkParams params) {
    String benchmark = params.getBenchmark();
    Facts.record(params, facts(benchmark.substring(benchmark.lastIndexOf('.') + 1)));
    manager.close();
  }

  /** One guided DDIM step (guidance 7.5) on one 64×64 latent: a UNet batch of 2. */
  @Benchmark
  public void guidedStep(Blackhole bh) {
    try (Invocation run = Invocation.in(manager)) {
      NDArray x = run.copy(latents);
      NDArray eps = denoiser.predict(x, midTimestep, cond, uncond, GUIDANCE);
      bh.consume(scheduler.step(eps, midTimestep, x));
    }
  }

  /** Decodes one 64×64 latent to a 512×512 image. */
  @Benchmark
  public void vaeDecode(Blackhole bh) {
    try (Invocation run = Invocation.in(manager)) {
      bh.consume(vae.decode(run.copy(latents)));
    }
  }

  private Facts facts(String method) {
    int side = unet.config().sampleSize();
    return switch (method) {
      case "guidedStep" -> Facts.of(1, Flops.unet(unet.config(), 2, side, TOKENS), 1, "latents");
      case "vaeDecode" -> Facts.of(1, Flops.vaeDecode(vae.config(), 1, side), 1, "images");
      default -> throw new IllegalArgumentException("no facts for " + method);
    };
  }
}
