package io.diffii.embedded;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.diffii.model.AutoencoderKL;
import io.diffii.nn.Tensors;
import io.diffii.model.VaeConfig;
import io.diffii.schedule.GaussianNoise;
import io.diffii.train.AdamW;
import io.diffii.train.Checkpoint;
import io.diffii.train.LearningRate;
import io.diffii.io.Progress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains the embedded model's autoencoder on scenes: reconstruction loss L1 + MSE of the decoded
 * posterior sample, plus a small KL term that keeps the latent close to a unit Gaussian.
 */
public final class VaePretrainer {

  /** Settings of one autoencoder training run. */
  public record Settings(
      int steps, int batch, double lr, int warmup, double klWeight, long seed, int checkpointEvery) {
    /** Validates the ranges. */
    public Settings {
      if (steps <= 0 || batch <= 0 || lr <= 0 || warmup < 0 || warmup > steps || klWeight < 0
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
    NDManager manager = params.values().iterator().next().getManager();
    try (AdamW opt = new AdamW(params, AdamW.Config.withWeightDecay(0))) {
      long start = resume(checkpoint, manager, params, opt);
      Progress progress = new Progress("autoencoder", s.steps());
      progress.resumed(start);
      int skipped = 0;
      for (long step = start; step < Math.min(untilStep, s.steps()); step++) {
        double loss;
        try (NDManager scope = manager.newSubManager()) {
          Random rng = new Random(s.seed() * 1_000_003L + step);
          int[] idx = rng.ints(s.batch(), 0, corpus.size()).toArray();
          NDArray x = corpus.images(scope, idx);
          ParameterStore store = new ParameterStore(scope, false);
          try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDList posterior = vae.encode(store, x, true);
            NDArray mean = posterior.get(0);
            NDArray logvar = posterior.get(1);
            NDArray eps = GaussianNoise.sample(scope, mean.getShape(), mean.getDataType(), rng);
            NDArray z = mean.add(Tensors.mul(logvar, 0.5).exp().mul(eps));
            NDArray recon = vae.decode(store, z, true);
            NDArray diff = recon.sub(x);
            NDArray kl = mean.square().add(logvar.exp()).sub(1).sub(logvar).sum(new int[] {1, 2, 3}).mean();
            kl = Tensors.mul(kl, 0.5f);
            NDArray total = diff.abs().mean().add(diff.square().mean()).add(Tensors.mul(kl, (float) s.klWeight()));
            gc.backward(total);
            loss = total.getFloat();
          }
          double lr = LearningRate.warmupCosine(s.lr(), s.warmup(), s.steps(), (int) step);
          if (!opt.clipAndStep(1.0, lr, loss)) {
            skipped++;
          }
        }
        progress.advance(1, String.format(Locale.ROOT, "loss %.4f skipped %d", loss, skipped));
        if ((step + 1) % s.checkpointEvery() == 0 || step + 1 == s.steps() || step + 1 == untilStep) {
          Checkpoint.save(checkpoint, step + 1, Map.of("model", params, "adam", opt.state()));
        }
      }
    }
  }

  private static long resume(Path checkpoint, NDManager manager, Map<String, NDArray> params, AdamW opt) {
    try (NDManager scope = manager.newSubManager()) {
      return Checkpoint.load(checkpoint, scope)
          .map(
              state -> {
                Checkpoint.restore(params, state.group("model"));
                opt.loadState(state.group("adam"));
                return state.step();
              })
          .orElse(0L);
    }
  }

  /**
   * Returns the mean reconstruction PSNR (dB, images in [0, 1]) of the first {@code n} scenes of
   * {@code corpus}, decoding the posterior mean.
   */
  public static double psnr(AutoencoderKL vae, SceneCorpus corpus, int n) {
    double sum = 0;
    int batch = 100;
    try (NDManager manager = NDManager.newBaseManager()) {
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
        tiny.inChannels(), tiny.outChannels(), tiny.blockOutChannels(), tiny.layersPerBlock(),
        latentChannels, tiny.normNumGroups(), tiny.scalingFactor(), tiny.midBlockAddAttention(),
        tiny.useQuantConv(), tiny.usePostQuantConv());
  }
}
