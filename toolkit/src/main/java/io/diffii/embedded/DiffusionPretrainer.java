package io.diffii.embedded;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffii.io.Progress;
import io.diffii.model.AutoencoderKL;
import io.diffii.model.ClipTextModel;
import io.diffii.model.Tokenizer;
import io.diffii.model.UNet2DConditionModel;
import io.diffii.nn.Compute;
import io.diffii.schedule.GaussianNoise;
import io.diffii.schedule.NoiseSchedule;
import io.diffii.train.AdamW;
import io.diffii.train.Ema;
import io.diffii.train.LearningRate;
import io.diffii.train.TrainingLoop;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Trains the embedded text encoder and UNet together on scene latents with the ε-prediction loss of
 * latent diffusion (paper Eq. 1–2): x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε at a uniformly drawn t, loss ‖ε −
 * ε_θ(x_t, c, t)‖². Latents are drawn from the frozen autoencoder's posterior, scaled by the
 * corpus's latent scale; captions are sometimes empty (for classifier-free guidance) or lack the
 * context. An exponential moving average of the weights is kept for sampling.
 */
public final class DiffusionPretrainer {

  /** Settings of one text-encoder + UNet training run. */
  public record Settings(
      int steps,
      int batch,
      double lr,
      int warmup,
      double weightDecay,
      double emaDecay,
      double emptyCaptionRate,
      double coarseOnlyRate,
      boolean balanceGroups,
      long seed,
      int checkpointEvery) {
    /** Validates the ranges. */
    public Settings {
      if (steps <= 0
          || batch <= 0
          || lr <= 0
          || warmup < 0
          || warmup > steps
          || emaDecay < 0
          || emaDecay >= 1
          || emptyCaptionRate < 0
          || coarseOnlyRate < 0
          || emptyCaptionRate + coarseOnlyRate > 1
          || checkpointEvery <= 0) {
        throw new IllegalArgumentException("invalid diffusion settings " + this);
      }
    }
  }

  /** The autoencoder posterior of every corpus scene, kept in Java arrays. */
  public record Posteriors(float[] mean, float[] logvar, Shape latentShape, float scale) {
    int perItem() {
      return (int) latentShape.size();
    }
  }

  private DiffusionPretrainer() {}

  /**
   * Encodes every scene of {@code corpus} with {@code vae} and measures the latent scale as 1/std
   * of the posterior means, the value written to the autoencoder's {@code scaling_factor}.
   */
  public static Posteriors encode(AutoencoderKL vae, SceneCorpus corpus) {
    int n = corpus.size();
    int batch = 500;
    float[] mean = null;
    float[] logvar = null;
    Shape latent = null;
    Progress progress = new Progress("encoding corpus", n);
    try (NDManager manager = Compute.newManager()) {
      for (int from = 0; from < n; from += batch) {
        try (NDManager scope = manager.newSubManager()) {
          int[] idx = IntStream.range(from, Math.min(n, from + batch)).toArray();
          NDList post = vae.encode(corpus.images(scope, idx));
          if (mean == null) {
            latent = post.get(0).getShape().slice(1);
            mean = new float[(int) (n * latent.size())];
            logvar = new float[mean.length];
          }
          int offset = (int) (from * latent.size());
          float[] m = post.get(0).toFloatArray();
          System.arraycopy(m, 0, mean, offset, m.length);
          float[] lv = post.get(1).toFloatArray();
          System.arraycopy(lv, 0, logvar, offset, lv.length);
          progress.advance(idx.length, "");
        }
      }
    }
    double sum = 0;
    double sq = 0;
    for (float v : mean) {
      sum += v;
      sq += (double) v * v;
    }
    double mu = sum / mean.length;
    double std = Math.sqrt(sq / mean.length - mu * mu);
    return new Posteriors(mean, logvar, latent, (float) (1.0 / std));
  }

  /**
   * Trains {@code text} and {@code unet} (arrays in the caller's manager) for the settings' steps,
   * resuming from {@code checkpoint} if it exists; returns the moving average, whose arrays the
   * caller copies into the networks before sampling or saving. The batch, timesteps, noise and
   * captions of each step depend only on (seed, step), so a resumed run matches an uninterrupted
   * one.
   */
  public static Map<String, NDArray> train(
      ClipTextModel text,
      UNet2DConditionModel unet,
      Tokenizer tokenizer,
      SceneCorpus corpus,
      Posteriors latents,
      NoiseSchedule schedule,
      Settings s,
      Path checkpoint) {
    return train(text, unet, tokenizer, corpus, latents, schedule, s, checkpoint, s.steps());
  }

  /**
   * Trains as the overload without {@code untilStep} but stops after step {@code untilStep} (saving
   * a checkpoint there), as an interrupted run would; the learning-rate schedule still spans all
   * the settings' steps.
   */
  public static Map<String, NDArray> train(
      ClipTextModel text,
      UNet2DConditionModel unet,
      Tokenizer tokenizer,
      SceneCorpus corpus,
      Posteriors latents,
      NoiseSchedule schedule,
      Settings s,
      Path checkpoint,
      long untilStep) {
    Map<String, NDArray> params = new LinkedHashMap<>();
    text.stateDict().forEach((k, p) -> params.put("text_encoder." + k, p.getArray()));
    unet.stateDict().forEach((k, p) -> params.put("unet." + k, p.getArray()));
    NDManager manager = params.values().iterator().next().getManager();
    try (AdamW opt = new AdamW(params, AdamW.Config.withWeightDecay(s.weightDecay()));
        Ema ema = new Ema(params, s.emaDecay())) {
      TrainingLoop.named("text encoder + UNet", s.steps(), s.seed())
          .optimize(
              "model",
              opt,
              step -> LearningRate.warmupCosine(s.lr(), s.warmup(), s.steps(), (int) step))
          .state("ema", ema)
          .afterStep(step -> ema.update())
          .clipTo(1.0)
          .checkpoint(checkpoint, s.checkpointEvery())
          .stopAfter(untilStep)
          .run(
              (step, rng, scope) ->
                  loss(text, unet, tokenizer, corpus, latents, schedule, s, rng, scope));
      Map<String, NDArray> averaged = new LinkedHashMap<>();
      ema.averaged().forEach((k, a) -> averaged.put(k, a.duplicate()));
      averaged.values().forEach(a -> a.attach(manager));
      return averaged;
    }
  }

  /**
   * Returns the corpus indices of a batch: uniform over scenes, or, with {@code balanceGroups}, a
   * uniformly drawn coarse group first and then a scene of it, so that each group is seen as often
   * as any other (tops are 40 % of the corpus, dresses and bags 10 % each).
   */
  static int[] drawBatch(SceneCorpus corpus, int batch, boolean balanceGroups, Random rng) {
    if (!balanceGroups) {
      return rng.ints(batch, 0, corpus.size()).toArray();
    }
    int[][] byGroup = corpus.indicesByCoarseGroup();
    int[] idx = new int[batch];
    for (int b = 0; b < batch; b++) {
      int[] members = byGroup[rng.nextInt(byGroup.length)];
      idx[b] = members[rng.nextInt(members.length)];
    }
    return idx;
  }

  /** The ε-prediction loss of a drawn batch: posterior samples, captions, timesteps and noise. */
  private static NDArray loss(
      ClipTextModel text,
      UNet2DConditionModel unet,
      Tokenizer tokenizer,
      SceneCorpus corpus,
      Posteriors latents,
      NoiseSchedule schedule,
      Settings s,
      Random rng,
      NDManager scope) {
    int perItem = latents.perItem();
    int[] idx = drawBatch(corpus, s.batch(), s.balanceGroups(), rng);
    float[] x0 = new float[s.batch() * perItem];
    long[] ids = new long[s.batch() * tokenizer.maxLength()];
    for (int b = 0; b < s.batch(); b++) {
      int i = idx[b];
      for (int p = 0; p < perItem; p++) {
        int at = i * perItem + p;
        double std = Math.exp(0.5 * latents.logvar()[at]);
        x0[b * perItem + p] =
            (float) ((latents.mean()[at] + std * rng.nextGaussian()) * latents.scale());
      }
      String caption =
          Captions.draw(
              corpus.coarse(i), corpus.context(i), s.emptyCaptionRate(), s.coarseOnlyRate(), rng);
      System.arraycopy(
          tokenizer.encode(caption), 0, ids, b * tokenizer.maxLength(), tokenizer.maxLength());
    }
    Shape shape = new Shape(s.batch()).addAll(latents.latentShape());
    NDArray clean = scope.create(x0, shape);
    int[] t = rng.ints(s.batch(), 0, schedule.numTrainTimesteps()).toArray();
    NDArray noise = GaussianNoise.sample(scope, shape, clean.getDataType(), rng);
    NDArray noisy = schedule.addNoise(clean, noise, t);
    NDArray timesteps = scope.create(IntStream.of(t).asLongStream().toArray());
    NDArray tokenIds = scope.create(ids, new Shape(s.batch(), tokenizer.maxLength()));
    NDArray context = text.encode(new ParameterStore(scope, false), tokenIds, true).get(0);
    return unet.predictNoise(noisy, timesteps, context).sub(noise).square().mean();
  }
}
