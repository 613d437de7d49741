package io.diffii.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.diffii.embedded.Embedded;
import io.diffii.invert.InversionPool;
import io.diffii.model.ClipTextConfig;
import io.diffii.model.UNetConfig;
import io.diffii.model.VaeConfig;
import io.diffii.pipeline.Denoiser;
import io.diffii.schedule.DdimScheduler;
import java.util.Collections;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The embedded pipeline's stages at the batches the embedded default runs them: the text encoder on
 * a concept-learning batch, the autoencoder encoding an inversion batch and decoding a sampling
 * batch, one guided DDIM step on a sampling batch, and the two throughput stages, DDIM inversion of
 * an inversion batch and generation (sampling and decoding) of a sampling batch, each over the
 * default's step count.
 */
@State(Scope.Benchmark)
public class PipelineBench extends ModelBench {

  private static final int TEXT_BATCH = SETTINGS.concept().batch();
  private static final int INVERSION_BATCH = InversionPool.BATCH;
  private static final int SAMPLING_BATCH = SETTINGS.sampling().batch();

  private List<String> textPrompts;
  private List<String> inversionPrompts;
  private List<String> samplingPrompts;
  private NDArray images;
  private NDArray inversionLatents;
  private NDArray samplingLatents;
  private NDArray cond;
  private NDArray uncond;
  private DdimScheduler scheduler;
  private Denoiser denoiser;
  private int midTimestep;

  @Override
  protected void prepare() {
    String prompt = "a photo of a " + Embedded.metaclass(0);
    textPrompts = Collections.nCopies(TEXT_BATCH, prompt);
    inversionPrompts = Collections.nCopies(INVERSION_BATCH, prompt);
    samplingPrompts = Collections.nCopies(SAMPLING_BATCH, prompt);
    int side = imageSide();
    images = inputs.randomUniform(0, 1, new Shape(INVERSION_BATCH, 3, side, side));
    inversionLatents = latents(INVERSION_BATCH);
    samplingLatents = latents(SAMPLING_BATCH);
    cond = pipe.embed(inputs, samplingPrompts);
    uncond = pipe.embed(inputs, Collections.nCopies(SAMPLING_BATCH, ""));
    scheduler = new DdimScheduler(pipe.scheduleConfig());
    denoiser = new Denoiser(sd.unet());
    int[] timesteps = scheduler.timesteps(steps());
    midTimestep = timesteps[timesteps.length / 2];
  }

  private NDArray latents(int batch) {
    UNetConfig c = sd.unet().config();
    return inputs.randomNormal(new Shape(batch, c.inChannels(), latentSide(), latentSide()));
  }

  private int imageSide() {
    return latentSide() << (sd.vae().config().blockOutChannels().size() - 1);
  }

  private static int steps() {
    return SETTINGS.sampling().steps();
  }

  /** Encodes a concept-learning batch of prompts. */
  @Benchmark
  public void textEncoder(Blackhole bh) {
    try (Invocation run = Invocation.in(inputs)) {
      bh.consume(pipe.embed(run.manager(), textPrompts));
    }
  }

  /** Encodes an inversion batch of images to scaled latents. */
  @Benchmark
  public void vaeEncode(Blackhole bh) {
    try (Invocation run = Invocation.in(inputs)) {
      bh.consume(pipe.encode(run.copy(images)));
    }
  }

  /** Decodes a sampling batch of latents to images. */
  @Benchmark
  public void vaeDecode(Blackhole bh) {
    try (Invocation run = Invocation.in(inputs)) {
      bh.consume(pipe.decode(run.copy(samplingLatents)));
    }
  }

  /**
   * One DDIM sampling step on a sampling batch: the guided noise prediction (conditional and
   * unconditional in one UNet batch) and the scheduler update, at the middle timestep.
   */
  @Benchmark
  public void ddimStep(Blackhole bh) {
    try (Invocation run = Invocation.in(inputs)) {
      NDArray x = run.copy(samplingLatents);
      NDArray eps = denoiser.predict(x, midTimestep, cond, uncond, SETTINGS.sampling().guidance());
      bh.consume(scheduler.step(eps, midTimestep, x));
    }
  }

  /** DDIM-inverts an inversion batch over the default's inversion steps (guidance 1). */
  @Benchmark
  public void inversion(Blackhole bh) {
    try (Invocation run = Invocation.in(inputs)) {
      bh.consume(
          pipe.invert(
              run.copy(inversionLatents), inversionPrompts, SETTINGS.inversion().steps(), 1.0));
    }
  }

  /**
   * Generates a sampling batch: prompt embeddings, plain DDIM sampling over the default's steps
   * with its guidance, and decoding (Diff-II's two-stage sampler switches prompts at a timestep,
   * which costs the same).
   */
  @Benchmark
  public void generation(Blackhole bh) {
    try (Invocation run = Invocation.in(inputs)) {
      bh.consume(
          pipe.generate(
              run.manager(), samplingPrompts, steps(), SETTINGS.sampling().guidance(), 0));
    }
  }

  @Override
  protected Facts facts(String method) {
    UNetConfig unet = sd.unet().config();
    ClipTextConfig text = sd.textEncoder().config();
    VaeConfig vae = sd.vae().config();
    int side = latentSide();
    int tokens = tokens();
    return switch (method) {
      case "textEncoder" ->
          Facts.of(TEXT_BATCH, Flops.textEncoder(text, TEXT_BATCH, tokens), TEXT_BATCH, "prompts");
      case "vaeEncode" ->
          Facts.of(
              INVERSION_BATCH,
              Flops.vaeEncode(vae, INVERSION_BATCH, imageSide()),
              INVERSION_BATCH,
              "images");
      case "vaeDecode" ->
          Facts.of(
              SAMPLING_BATCH, Flops.vaeDecode(vae, SAMPLING_BATCH, side), SAMPLING_BATCH, "images");
      case "ddimStep" ->
          Facts.of(
              SAMPLING_BATCH,
              Flops.unet(unet, 2 * SAMPLING_BATCH, side, tokens),
              SAMPLING_BATCH,
              "latents");
      case "inversion" ->
          Facts.of(
              INVERSION_BATCH,
              Flops.textEncoder(text, INVERSION_BATCH, tokens)
                  + SETTINGS.inversion().steps() * Flops.unet(unet, INVERSION_BATCH, side, tokens),
              INVERSION_BATCH,
              "latents");
      case "generation" ->
          Facts.of(
              SAMPLING_BATCH,
              Flops.textEncoder(text, 2 * SAMPLING_BATCH, tokens)
                  + steps() * Flops.unet(unet, 2 * SAMPLING_BATCH, side, tokens)
                  + Flops.vaeDecode(vae, SAMPLING_BATCH, side),
              SAMPLING_BATCH,
              "images");
      default -> throw new IllegalArgumentException("no facts for " + method);
    };
  }
}
