package io.diffii.concept;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffii.data.ImageDataset;
import io.diffii.model.Lora;
import io.diffii.model.MicroBatch;
import io.diffii.model.StableDiffusion;
import io.diffii.nn.LoraAdapter;
import io.diffii.nn.NoGrad;
import io.diffii.pipeline.SdPipeline;
import io.diffii.schedule.GaussianNoise;
import io.diffii.schedule.NoiseSchedule;
import io.diffii.train.AdamW;
import io.diffii.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Learns one concept per class (paper Sec. 3.1, Eq. 2): n token vectors per class and LoRA adapters
 * on the UNet attention shared by all classes, trained with the ε-prediction loss on the class's
 * images captioned "a photo of a [V] {metaclass}". Everything else is frozen.
 *
 * <pre>{@code
 * ConceptLearner.Result r = ConceptLearner.on(sd).metaclass(c -> "bird").steps(35_000).learn(train, dir);
 * String prompt = r.concepts().prompt(3);
 * }</pre>
 *
 * <p>Defaults suit the embedded model (rank 4, 600 steps at batch 16, lr 1e-3 for LoRA and 5e-3 for
 * the tokens). The released Stable Diffusion recipe (Diff-Mix's, which Diff-II reuses) is rank 10,
 * α 10, 35,000 steps at batch 2, lr 5e-5 for both, weight decay 1e-2, clipping 1.0: set those with
 * the fluent setters at full scale. Training images of any size are brought to the model's
 * resolution by {@link StableDiffusion#transform} (shorter side resized, centre cropped) and are
 * flipped horizontally half of the time. Each step's draws, and the LoRA initialisation, depend
 * only on the seed (and the step), and a checkpoint is written every {@link #checkpointEvery} steps
 * and after the last, so an interrupted run resumes to the same result.
 */
public final class ConceptLearner {

  /**
   * What a learning run produced and measured; {@code concepts} is the saved set (null when the run
   * was stopped early, before saving).
   */
  public record Result(
      Concepts concepts,
      double initialLoss,
      double finalLoss,
      List<Double> losses,
      int skippedSteps,
      double seconds,
      Path dir) {
    /** {@inheritDoc} */
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%s: held-out-draw loss %.4f -> %.4f over %d steps (%d dropped as non-finite) in %.0f s, saved in %s",
          concepts,
          initialLoss,
          finalLoss,
          losses.size(),
          skippedSteps,
          seconds,
          dir);
    }
  }

  private final StableDiffusion sd;
  private IntFunction<String> metaclass;
  private int vectors = 1;
  private String initToken = "a";
  private int rank = 4;
  private float alpha = 4;
  private int steps = 600;
  private int batch = 16;
  private double loraLr = 1e-3;
  private double tokenLr = 5e-3;
  private double weightDecay = 1e-2;
  private boolean balanced;
  private long seed;
  private int checkpointEvery = 200;
  private boolean quiet;
  private long until = Long.MAX_VALUE;

  private ConceptLearner(StableDiffusion sd) {
    this.sd = sd;
  }

  /**
   * Starts a learner for {@code sd}, which must not carry concepts; the concepts are applied to it
   * only while they learn, so the model is left as it was found.
   */
  public static ConceptLearner on(StableDiffusion sd) {
    return new ConceptLearner(sd);
  }

  /**
   * Sets the metaclass word of each class (default: none, the prompt ends with the placeholder).
   */
  public ConceptLearner metaclass(IntFunction<String> wordOfClass) {
    this.metaclass = wordOfClass;
    return this;
  }

  /** Sets the vectors per class (default 1, as the released pipeline). */
  public ConceptLearner vectorsPerClass(int n) {
    this.vectors = n;
    return this;
  }

  /** Sets the vocabulary word every vector starts from (default "a"). */
  public ConceptLearner initToken(String word) {
    this.initToken = word;
    return this;
  }

  /**
   * Sets LoRA rank and α (default 4 and 4; released 10 and 10); rank 0 learns the tokens alone
   * (textual inversion, as Da-Fusion).
   */
  public ConceptLearner lora(int newRank, float newAlpha) {
    this.rank = newRank;
    this.alpha = newAlpha;
    return this;
  }

  /** Sets the number of steps (default 600; released 35,000). */
  public ConceptLearner steps(int n) {
    this.steps = n;
    return this;
  }

  /** Sets the batch size (default 16; released 2). */
  public ConceptLearner batch(int n) {
    this.batch = n;
    return this;
  }

  /** Sets the learning rates of the LoRA weights and the token vectors (default 1e-3, 5e-3). */
  public ConceptLearner lr(double lora, double tokens) {
    this.loraLr = lora;
    this.tokenLr = tokens;
    return this;
  }

  /** Sets AdamW's weight decay (default 1e-2). */
  public ConceptLearner weightDecay(double wd) {
    this.weightDecay = wd;
    return this;
  }

  /**
   * Draws a class uniformly, then one of its images (for long-tailed data), instead of an image
   * uniformly.
   */
  public ConceptLearner balanced(boolean on) {
    this.balanced = on;
    return this;
  }

  /** Sets the seed of every draw. */
  public ConceptLearner seed(long s) {
    this.seed = s;
    return this;
  }

  /** Sets how often a checkpoint is written (default every 200 steps). */
  public ConceptLearner checkpointEvery(int n) {
    this.checkpointEvery = n;
    return this;
  }

  /** Turns the progress line off. */
  public ConceptLearner quiet() {
    this.quiet = true;
    return this;
  }

  /**
   * Stops after this step with a checkpoint and without saving concepts, as a killed run would (for
   * tests).
   */
  ConceptLearner stopAfter(long step) {
    this.until = step;
    return this;
  }

  /**
   * Learns concepts for every class of {@code train} and saves them in {@code dir}; when {@code
   * dir} already holds saved concepts they are read instead (the losses are then empty and both
   * loss figures NaN); saved concepts of other classes are an error. Every class needs at least one
   * image.
   */
  public Result learn(ImageDataset train, Path dir) {
    List<String> names = train.classNames();
    train.requireEveryClass("concept learning");
    long start = System.nanoTime();
    List<String> metas =
        IntStream.range(0, names.size())
            .mapToObj(c -> metaclass == null ? "" : metaclass.apply(c))
            .toList();
    Concepts.Spec spec = new Concepts.Spec(names, metas, vectors, initToken, rank, alpha);
    if (Concepts.saved(dir)) {
      Concepts saved = Concepts.read(dir);
      if (!saved.spec().classNames().equals(names)) {
        throw new IllegalArgumentException(
            dir.toAbsolutePath()
                + " holds concepts of other classes "
                + saved.spec().classNames()
                + ", not "
                + names
                + "; use another folder");
      }
      return new Result(saved, Double.NaN, Double.NaN, List.of(), 0, 0, dir);
    }
    validate();
    Path checkpoint = dir.resolve("checkpoint.safetensors");
    Concepts learned;
    TrainingLoop.Result run;
    double initial;
    double last;
    // Optimiser steps update the trainable arrays in place, which autograd refuses while recording.
    try (NoGrad off = NoGrad.open();
        Concepts.Applied concepts = Concepts.attach(sd, spec)) {
      initialiseLora(concepts);
      Map<String, NDArray> loraParams = Lora.arrays("unet", concepts.adapters());
      Map<String, NDArray> tokenParams = Map.of("tokens", concepts.tokens().vectors());
      Encoded data = encode(train);
      NoiseSchedule schedule = NoiseSchedule.of(new SdPipeline(sd).scheduleConfig());
      initial = Files.exists(checkpoint) ? Double.NaN : heldOutLoss(concepts, data, schedule);
      try (AdamW loraOpt =
              loraParams.isEmpty()
                  ? null
                  : new AdamW(loraParams, AdamW.Config.withWeightDecay(weightDecay));
          AdamW tokenOpt = new AdamW(tokenParams, AdamW.Config.withWeightDecay(weightDecay))) {
        TrainingLoop loop = TrainingLoop.named("concepts", steps, seed);
        if (loraOpt != null) {
          loop.optimize("lora", loraOpt, step -> loraLr);
        }
        loop.optimize("tokens", tokenOpt, step -> tokenLr)
            .clipTo(1.0)
            .checkpoint(checkpoint, checkpointEvery)
            .stopAfter(until);
        if (quiet) {
          loop.quiet();
        }
        run =
            loop.run(
                (step, rng, scope) ->
                    loss(scope, concepts, data, schedule, draw(data, rng), rng, true));
        if (run.reached() < steps) {
          return new Result(
              null,
              initial,
              Double.NaN,
              run.losses(),
              run.skippedSteps(),
              (System.nanoTime() - start) / 1e9,
              dir);
        }
        last = heldOutLoss(concepts, data, schedule);
      }
      learned = concepts.save(dir);
    }
    try {
      Files.deleteIfExists(checkpoint);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new Result(
        learned,
        initial,
        last,
        run.losses(),
        run.skippedSteps(),
        (System.nanoTime() - start) / 1e9,
        dir);
  }

  private void validate() {
    if (steps < 1
        || batch < 1
        || !(loraLr > 0)
        || !(tokenLr > 0)
        || weightDecay < 0
        || checkpointEvery < 1) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "invalid concept learning settings: steps %d, batch %d, lr %g/%g, weight decay %g",
              steps,
              batch,
              loraLr,
              tokenLr,
              weightDecay));
    }
  }

  /**
   * Autoencoder posteriors of every image and of its mirror image (one array per image, so no size
   * product can overflow), with labels.
   */
  private record Encoded(
      float[][] mean, float[][] logvar, Shape latent, int[] labels, int[][] byClass) {
    int per() {
      return Math.toIntExact(latent.size());
    }
  }

  /**
   * Encodes every image, brought to the model by {@link StableDiffusion#transform}, and its mirror
   * image, in micro-batches ({@link MicroBatch#encoding}); image 2i is the i-th, 2i + 1 its mirror.
   */
  private Encoded encode(ImageDataset train) {
    int n = train.size();
    int count = Math.multiplyExact(2, n);
    int side = sd.resolution();
    int per = Math.multiplyExact(3, Math.multiplyExact(side, side));
    int micro = MicroBatch.encoding(sd);
    int[] labels = new int[count];
    float[][] mean = new float[count][];
    float[][] logvar = new float[count][];
    Shape latent = null;
    for (int from = 0; from < count; from += micro) {
      int to = Math.min(count, from + micro);
      float[] pixels = new float[Math.multiplyExact(to - from, per)];
      float[] image = null;
      for (int j = from; j < to; j++) {
        if (image == null || j % 2 == 0) {
          image = sd.transform().apply(train.image(j / 2)).data();
        }
        int at = (j - from) * per;
        if (j % 2 == 0) {
          System.arraycopy(image, 0, pixels, at, per);
        } else {
          for (int c = 0; c < 3; c++) {
            for (int y = 0; y < side; y++) {
              for (int x = 0; x < side; x++) {
                pixels[at + (c * side + y) * side + x] =
                    image[(c * side + y) * side + side - 1 - x];
              }
            }
          }
        }
        labels[j] = train.label(j / 2);
      }
      try (NDManager scope = sd.manager().newSubManager()) {
        NDArray images = scope.create(pixels, new Shape(to - from, 3, side, side));
        NDList post = sd.vae().encode(images.mul(2).sub(1));
        latent = post.get(0).getShape().slice(1);
        for (int j = from; j < to; j++) {
          mean[j] = post.get(0).get(j - from).toFloatArray();
          logvar[j] = post.get(1).get(j - from).toFloatArray();
        }
      }
    }
    int[][] byClass = new int[train.classNames().size()][];
    for (int c = 0; c < byClass.length; c++) {
      int cls = c;
      byClass[c] = IntStream.range(0, labels.length).filter(j -> labels[j] == cls).toArray();
    }
    return new Encoded(mean, logvar, latent, labels, byClass);
  }

  /** Draws a batch of image indices, uniformly or class-balanced. */
  private int[] draw(Encoded data, Random rng) {
    int[] idx = new int[batch];
    for (int b = 0; b < batch; b++) {
      if (balanced) {
        int[] members = data.byClass()[rng.nextInt(data.byClass().length)];
        idx[b] = members[rng.nextInt(members.length)];
      } else {
        idx[b] = rng.nextInt(data.labels().length);
      }
    }
    return idx;
  }

  /**
   * Draws every LoRA down-projection A uniformly in ±1/√in (the adapters' own initialisation) from
   * the seed, so that the run depends on the seed alone and not on the engine's generator.
   */
  private void initialiseLora(Concepts.Applied concepts) {
    Random rng = TrainingLoop.random(seed, 1, 0);
    for (LoraAdapter adapter : concepts.adapters().values()) {
      NDArray down = adapter.down();
      float bound = (float) (1.0 / Math.sqrt(adapter.inFeatures()));
      float[] values = new float[(int) down.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (2 * rng.nextFloat() - 1) * bound;
      }
      // Copied in place (not set(float[]), which would swap A's storage for a Java buffer).
      try (NDManager scope = down.getManager().newSubManager()) {
        down.set(new NDIndex("..."), scope.create(values, down.getShape()));
      }
    }
  }

  /**
   * The Eq. 2 loss of a batch: noisy posterior samples at random t, captioned with their concept.
   */
  private NDArray loss(
      NDManager scope,
      Concepts.Applied concepts,
      Encoded data,
      NoiseSchedule schedule,
      int[] idx,
      Random rng,
      boolean training) {
    int per = data.per();
    float scale = sd.vae().scalingFactor();
    float[] x0 = new float[Math.multiplyExact(idx.length, per)];
    int length = sd.tokenizer().maxLength();
    long[] ids = new long[Math.multiplyExact(idx.length, length)];
    for (int b = 0; b < idx.length; b++) {
      float[] mean = data.mean()[idx[b]];
      float[] logvar = data.logvar()[idx[b]];
      for (int p = 0; p < per; p++) {
        x0[b * per + p] =
            (float) ((mean[p] + Math.exp(0.5 * logvar[p]) * rng.nextGaussian()) * scale);
      }
      String prompt = concepts.prompt(data.labels()[idx[b]]);
      System.arraycopy(sd.tokenizer().encode(prompt), 0, ids, b * length, length);
    }
    Shape shape = new Shape(idx.length).addAll(data.latent());
    NDArray clean = scope.create(x0, shape);
    int[] t = rng.ints(idx.length, 0, schedule.numTrainTimesteps()).toArray();
    NDArray noise = GaussianNoise.sample(scope, shape, clean.getDataType(), rng);
    NDArray noisy = schedule.addNoise(clean, noise, t);
    NDArray tokens = scope.create(ids, new Shape(idx.length, length));
    NDArray timesteps = scope.create(IntStream.of(t).asLongStream().toArray());
    // Training takes its batch whole (autograd keeps every graph until the backward pass anyway);
    // the held-out loss, which may cover the whole training set, goes in micro-batches.
    NDArray predicted =
        training
            ? predictNoise(noisy, timesteps, tokens, true)
            : MicroBatch.apply(
                noisy,
                MicroBatch.denoising(sd, false),
                (part, from, to) ->
                    predictNoise(
                        part,
                        MicroBatch.rows(timesteps, part.getManager(), from, to),
                        MicroBatch.rows(tokens, part.getManager(), from, to),
                        false));
    return predicted.sub(noise).square().mean();
  }

  /** The UNet's noise prediction for noisy latents at timesteps {@code t}, captioned by tokens. */
  private NDArray predictNoise(NDArray noisy, NDArray t, NDArray tokens, boolean training) {
    ParameterStore store = new ParameterStore(noisy.getManager(), false);
    NDArray context = sd.textEncoder().encode(store, tokens, training).get(0);
    return sd.unet().predictNoise(noisy, t, context);
  }

  /**
   * The loss on a fixed set of draws (every image, 8 timesteps each), to compare before and after.
   */
  private double heldOutLoss(Concepts.Applied concepts, Encoded data, NoiseSchedule schedule) {
    Random rng = new Random(seed ^ 0x5EEDL);
    double sum = 0;
    int rounds = 8;
    for (int r = 0; r < rounds; r++) {
      try (NDManager scope = sd.manager().newSubManager()) {
        int[] idx = IntStream.range(0, data.labels().length).filter(j -> j % 2 == 0).toArray();
        sum += loss(scope, concepts, data, schedule, idx, rng, false).getFloat();
      }
    }
    return sum / rounds;
  }
}
