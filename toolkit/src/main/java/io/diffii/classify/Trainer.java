package io.diffii.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffii.nn.Weights;
import io.diffii.train.AdamW;
import io.diffii.train.LearningRate;
import io.diffii.train.Optimizer;
import io.diffii.train.Sgd;
import io.diffii.train.Stateful;
import io.diffii.train.TrainingLoop;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Trains a classifier on real images, replacing each drawn image by a synthetic one of its class
 * with the configured probability (Diff-II's rule), and evaluates it.
 */
public final class Trainer {

  /** What one training run measured. */
  public record Result(
      double accuracy,
      double[] perClassAccuracy,
      List<Double> epochLosses,
      double replacedFraction,
      int skippedSteps,
      double seconds,
      TrainConfig config) {
    /** {@inheritDoc} */
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "accuracy %.2f%% (replaced %.0f%% of draws, %d epochs, %d steps dropped as non-finite, %.0f s, seed %d)",
          100 * accuracy,
          100 * replacedFraction,
          config.epochs(),
          skippedSteps,
          seconds,
          config.seed());
    }
  }

  /** One assembled batch: pixels, labels, and which draws were replaced by synthetic images. */
  record Batch(float[] pixels, int[] labels, boolean[] replaced) {}

  private Trainer() {}

  /**
   * Trains {@code model} (arrays in its own manager) on {@code train}, with {@code synthetic}
   * images per class (may be empty), and returns its accuracy on {@code test}.
   */
  public static Result train(
      Classifier model,
      LabeledImages train,
      Map<Integer, List<float[]>> synthetic,
      LabeledImages test,
      TrainConfig config) {
    return train(model, train, synthetic, test, config, null, Long.MAX_VALUE);
  }

  /**
   * Trains as {@link #train(Classifier, LabeledImages, Map, LabeledImages, TrainConfig)}, saving a
   * checkpoint in {@code checkpoint} after every epoch and resuming from it when it exists, so an
   * interrupted run ends with exactly the weights and figures of an uninterrupted one. The
   * checkpoint is left in place; the caller deletes it once the result is recorded.
   */
  public static Result train(
      Classifier model,
      LabeledImages train,
      Map<Integer, List<float[]>> synthetic,
      LabeledImages test,
      TrainConfig config,
      Path checkpoint) {
    return train(model, train, synthetic, test, config, checkpoint, Long.MAX_VALUE);
  }

  /**
   * The training run; with {@code stopAfter} below the step count it stops there with a checkpoint,
   * as an interrupted run would, and returns null (for tests).
   */
  static Result train(
      Classifier model,
      LabeledImages train,
      Map<Integer, List<float[]>> synthetic,
      LabeledImages test,
      TrainConfig config,
      Path checkpoint,
      long stopAfter) {
    long start = System.nanoTime();
    Map<String, NDArray> params = Weights.arrays(model);
    int n = train.size();
    int stepsPerEpoch = (n + config.batchSize() - 1) / config.batchSize();
    int totalSteps = stepsPerEpoch * config.epochs();
    int warmup = Math.max(1, totalSteps / 10);
    Tally tally = new Tally(totalSteps, params.values().iterator().next().getManager());
    TrainingLoop.Result run;
    try (Optimizer optimizer = optimizer(params, config)) {
      TrainingLoop loop =
          TrainingLoop.named("classifier", totalSteps, config.seed())
              .optimize(
                  "model",
                  optimizer,
                  step -> LearningRate.warmupCosine(config.lr(), warmup, totalSteps, (int) step))
              .state("tally", tally)
              .stopAfter(stopAfter);
      if (checkpoint != null) {
        loop.checkpoint(checkpoint, stepsPerEpoch);
      }
      run =
          loop.run(
              (step, rng, scope) -> {
                // Each epoch's order comes from its own generator, so any step's batch is a
                // function of (seed, step) like the rest of its draws.
                int[] order =
                    permutation(n, TrainingLoop.random(config.seed(), 1, step / stepsPerEpoch));
                int from = (int) (step % stepsPerEpoch) * config.batchSize();
                Batch batch =
                    compose(
                        train,
                        synthetic,
                        Arrays.copyOfRange(order, from, Math.min(n, from + config.batchSize())),
                        config,
                        rng);
                for (boolean r : batch.replaced()) {
                  tally.drawn++;
                  tally.replaced += r ? 1 : 0;
                }
                NDArray loss = loss(model, batch, train, config, scope);
                tally.losses[(int) step] = loss.getFloat();
                return loss;
              });
    }
    if (run.reached() < totalSteps) {
      return null;
    }
    List<Double> losses = new ArrayList<>();
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      double sum = 0;
      for (int k = 0; k < stepsPerEpoch; k++) {
        int size = Math.min(config.batchSize(), n - k * config.batchSize());
        sum += tally.losses[epoch * stepsPerEpoch + k] * size;
      }
      losses.add(sum / n);
    }
    double[] perClass = new double[model.classes()];
    double accuracy = evaluate(model, test, perClass);
    return new Result(
        accuracy,
        perClass,
        losses,
        tally.drawn == 0 ? 0 : (double) tally.replaced / tally.drawn,
        run.skippedSteps(),
        (System.nanoTime() - start) / 1e9,
        config);
  }

  /**
   * What the result reports besides the weights: every step's loss and the draws replaced so far,
   * saved with the checkpoint so a resumed run reports what an uninterrupted one does.
   */
  private static final class Tally implements Stateful {
    final float[] losses;
    final NDManager manager;
    long drawn;
    long replaced;

    Tally(int steps, NDManager manager) {
      this.losses = new float[steps];
      this.manager = manager;
    }

    @Override
    public Map<String, NDArray> state() {
      // Counts as two 24-bit halves each: a checkpoint holds float32, exact below 2^24.
      float[] counts = {
        drawn >>> 24, drawn & 0xFFFFFF, replaced >>> 24, replaced & 0xFFFFFF,
      };
      return Map.of("losses", manager.create(losses), "counts", manager.create(counts));
    }

    @Override
    public void loadState(Map<String, NDArray> state) {
      float[] saved = state.get("losses").toFloatArray();
      float[] counts = state.get("counts").toFloatArray();
      if (saved.length != losses.length || counts.length != 4) {
        throw new IllegalArgumentException(
            "classifier checkpoint has "
                + saved.length
                + " step losses, this run "
                + losses.length
                + " steps");
      }
      System.arraycopy(saved, 0, losses, 0, saved.length);
      drawn = ((long) counts[0] << 24) | (long) counts[1];
      replaced = ((long) counts[2] << 24) | (long) counts[3];
    }
  }

  /** Cross-entropy of the batch's logits against its label-smoothed targets. */
  private static NDArray loss(
      Classifier model, Batch batch, LabeledImages train, TrainConfig config, NDManager scope) {
    int size = batch.labels().length;
    NDArray x = scope.create(batch.pixels(), new Shape(size, 3, train.height(), train.width()));
    NDArray target =
        smoothedTargets(scope, batch.labels(), model.classes(), config.labelSmoothing());
    NDArray logits = model.logits(new ParameterStore(scope, false), x, true);
    return logits.logSoftmax(1).mul(target).sum(new int[] {1}).neg().mean();
  }

  private static Optimizer optimizer(Map<String, NDArray> params, TrainConfig config) {
    return config.optimizer() == TrainConfig.Optimizer.SGD
        ? new Sgd(params, 0.9, config.weightDecay())
        : new AdamW(params, AdamW.Config.withWeightDecay(config.weightDecay()));
  }

  /** Returns the accuracy on {@code data}, filling per-class accuracy when the array is given. */
  public static double evaluate(Classifier model, LabeledImages data, double[] perClass) {
    int[] correct = new int[model.classes()];
    int[] count = new int[model.classes()];
    int right = 0;
    try (NDManager manager = NDManager.newBaseManager()) {
      for (int from = 0; from < data.size(); from += 500) {
        try (NDManager scope = manager.newSubManager()) {
          int to = Math.min(data.size(), from + 500);
          int[] pred = model.predict(data.batch(scope, from, to));
          for (int i = from; i < to; i++) {
            int y = data.labels()[i];
            count[y]++;
            if (pred[i - from] == y) {
              correct[y]++;
              right++;
            }
          }
        }
      }
    }
    if (perClass != null) {
      for (int c = 0; c < perClass.length; c++) {
        perClass[c] = count[c] == 0 ? Double.NaN : (double) correct[c] / count[c];
      }
    }
    return (double) right / data.size();
  }

  /** Draws the batch for {@code idx}: replacement by synthetic images, then augmentation. */
  static Batch compose(
      LabeledImages train,
      Map<Integer, List<float[]>> synthetic,
      int[] idx,
      TrainConfig config,
      Random rng) {
    int per = 3 * train.height() * train.width();
    float[] pixels = new float[idx.length * per];
    int[] labels = new int[idx.length];
    boolean[] replaced = new boolean[idx.length];
    for (int b = 0; b < idx.length; b++) {
      int label = train.labels()[idx[b]];
      float[] image = train.images().get(idx[b]);
      List<float[]> pool = synthetic.get(label);
      if (pool != null && !pool.isEmpty() && rng.nextDouble() < config.replacementProbability()) {
        image = pool.get(rng.nextInt(pool.size()));
        replaced[b] = true;
      }
      if (config.augment()) {
        image = augment(image, train.height(), train.width(), rng);
      }
      System.arraycopy(image, 0, pixels, b * per, per);
      labels[b] = label;
    }
    return new Batch(pixels, labels, replaced);
  }

  /** Random crop of the image padded by 4 zero pixels, and a horizontal flip half the time. */
  static float[] augment(float[] chw, int h, int w, Random rng) {
    int dy = rng.nextInt(9) - 4;
    int dx = rng.nextInt(9) - 4;
    boolean flip = rng.nextBoolean();
    float[] out = new float[chw.length];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h; y++) {
        int sy = y + dy;
        if (sy < 0 || sy >= h) {
          continue;
        }
        for (int x = 0; x < w; x++) {
          int sx = (flip ? w - 1 - x : x) + dx;
          if (sx >= 0 && sx < w) {
            out[(c * h + y) * w + x] = chw[(c * h + sy) * w + sx];
          }
        }
      }
    }
    return out;
  }

  private static NDArray smoothedTargets(NDManager manager, int[] labels, int classes, double eps) {
    float[] t = new float[labels.length * classes];
    float off = (float) (eps / classes);
    for (int i = 0; i < labels.length; i++) {
      for (int c = 0; c < classes; c++) {
        t[i * classes + c] = off;
      }
      t[i * classes + labels[i]] += (float) (1 - eps);
    }
    return manager.create(t, new Shape(labels.length, classes));
  }

  private static int[] permutation(int n, Random rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }
}
