package io.diffii.embedded;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import io.diffii.model.AutoencoderKL;
import io.diffii.model.VaeConfig;
import io.diffii.nn.Compute;
import io.diffii.nn.Tensors;
import io.diffii.schedule.GaussianNoise;
import io.diffii.train.AdamW;
import io.diffii.train.LearningRate;
import io.diffii.train.TrainingLoop;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Trains the embedded model's autoencoder on scenes: reconstruction loss L1 + MSE of the decoded
 * posterior sample, plus a small KL term that keeps the latent close to a unit Gaussian.
 */
public final class VaePretrainer {

  /** Settings of one autoencoder training run. */
  public record Settings(
      int steps,
      int batch,
      double lr,
      int warmup,
      double klWeight,
      long seed,
      int checkpointEvery) {
    /** Validates the ranges. */
    public Settings {
      if (steps <= 0
          || batch <= 0
          || lr <= 0
          || warmup < 0
          || warmup > steps
          || klWeight < 0
          || checkpointEvery <= 0) {
        throw new IllegalArgumentException("invalid autoencoder settings " + this);
      }
    }
  }

  private VaePretrainer() {}

  /**
   * Trains {@code vae} (whose arrays live in the caller's manager) for the settings' steps,
   * continuing from {@code checkpoint} if it exists and saving it every {@code checkpointEvery}
   * steps. The batch of each step depends only on (seed, step), so a resumed run draws the same
   * batches as an uninterrupted one.
   */
  public static void train(AutoencoderKL vae, SceneCorpus corpus, Settings s, Path checkpoint) {
    train(vae, corpus, s, checkpoint, s.steps());
  }

  /**
   * Trains as {@link #train(AutoencoderKL, SceneCorpus, Settings, Path)} but stops after step
   * {@code untilStep} (saving a checkpoint there), as an interrupted run would; the learning-rate
   * schedule still spans all the settings' steps.
   */
  public static void train(
      AutoencoderKL vae, SceneCorpus corpus, Settings s, Path checkpoint, long untilStep) {
    Map<String, NDArray> params = new LinkedHashMap<>();
    vae.stateDict().forEach((k, p) -> params.put(k, p.getArray()));
    try (AdamW opt = new AdamW(params, AdamW.Config.withWeightDecay(0))) {
      TrainingLoop.named("autoencoder", s.steps(), s.seed())
          .optimize(
              "model",
              opt,
              step -> LearningRate.warmupCosine(s.lr(), s.warmup(), s.steps(), (int) step))
          .clipTo(1.0)
          .checkpoint(checkpoint, s.checkpointEvery())
          .stopAfter(untilStep)
          .run((step, rng, scope) -> loss(vae, corpus, s, rng, scope));
    }
  }

  /** Reconstruction L1 + MSE of a posterior sample, plus the weighted KL term, on a drawn batch. */
  private static NDArray loss(
      AutoencoderKL vae, SceneCorpus corpus, Settings s, Random rng, NDManager scope) {
    int[] idx = rng.ints(s.batch(), 0, corpus.size()).toArray();
    NDArray x = corpus.images(scope, idx);
    ParameterStore store = new ParameterStore(scope, false);
    NDList posterior = vae.encode(store, x, true);
    NDArray mean = posterior.get(0);
    NDArray logvar = posterior.get(1);
    NDArray eps = GaussianNoise.sample(scope, mean.getShape(), mean.getDataType(), rng);
    NDArray z = mean.add(Tensors.mul(logvar, 0.5).exp().mul(eps));
    NDArray diff = vae.decode(store, z, true).sub(x);
    NDArray kl =
        Tensors.mul(
            mean.square().add(logvar.exp()).sub(1).sub(logvar).sum(new int[] {1, 2, 3}).mean(),
            0.5f);
    return diff.abs().mean().add(diff.square().mean()).add(Tensors.mul(kl, (float) s.klWeight()));
  }

  /**
   * Returns the mean reconstruction PSNR (dB, images in [0, 1]) of the first {@code n} scenes of
   * {@code corpus}, decoding the posterior mean.
   */
  public static double psnr(AutoencoderKL vae, SceneCorpus corpus, int n) {
    double sum = 0;
    int batch = 100;
    try (NDManager manager = Compute.newManager()) {
      for (int from = 0; from < n; from += batch) {
        try (NDManager scope = manager.newSubManager()) {
          int[] idx = java.util.stream.IntStream.range(from, Math.min(n, from + batch)).toArray();
          NDArray x = corpus.images(scope, idx);
          NDArray recon = vae.decode(vae.encode(x).get(0)).clip(-1, 1);
          NDArray mse = recon.sub(x).div(2).square().reshape(idx.length, -1).mean(new int[] {1});
          for (float m : mse.toFloatArray()) {
            sum += 10 * Math.log10(1.0 / Math.max(m, 1e-12));
          }
        }
      }
    }
    return sum / n;
  }

  /** Returns the autoencoder configuration of the embedded model with {@code latentChannels}. */
  public static VaeConfig embeddedConfig(int latentChannels) {
    VaeConfig tiny = VaeConfig.tiny();
    return new VaeConfig(
        tiny.inChannels(),
        tiny.outChannels(),
        tiny.blockOutChannels(),
        tiny.layersPerBlock(),
        latentChannels,
        tiny.normNumGroups(),
        tiny.scalingFactor(),
        tiny.midBlockAddAttention(),
        tiny.useQuantConv(),
        tiny.usePostQuantConv());
  }
}
