package io.diffii.classify;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.diffii.nn.Weights;
import io.diffii.train.AdamW;
import io.diffii.train.LearningRate;
import io.diffii.io.Progress;
import io.diffii.train.Sgd;
import java.util.ArrayList;
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
      double accuracy, double[] perClassAccuracy, List<Double> epochLosses, double replacedFraction,
      double seconds, TrainConfig config) {
    /** {@inheritDoc} */
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT, "accuracy %.2f%% (replaced %.0f%% of draws, %d epochs, %.0f s, seed %d)",
          100 * accuracy, 100 * replacedFraction, config.epochs(), seconds, config.seed());
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
      Classifier model, LabeledImages train, Map<Integer, List<float[]>> synthetic,
      LabeledImages test, TrainConfig config) {
    long start = System.nanoTime();
    Random rng = new Random(config.seed());
    Map<String, NDArray> params = Weights.arrays(model);
    NDManager manager = params.values().iterator().next().getManager();
    int stepsPerEpoch = (train.size() + config.batchSize() - 1) / config.batchSize();
    int totalSteps = stepsPerEpoch * config.epochs();
    int warmup = Math.max(1, totalSteps / 10);
    List<Double> losses = new ArrayList<>();
    long drawn = 0;
    long replaced = 0;
    Sgd sgd = config.optimizer() == TrainConfig.Optimizer.SGD ? new Sgd(params, 0.9, config.weightDecay()) : null;
    AdamW adamw =
        sgd == null ? new AdamW(params, AdamW.Config.withWeightDecay(config.weightDecay())) : null;
    Progress progress = new Progress("classifier", config.epochs());
    try {
      int step = 0;
      for (int epoch = 0; epoch < config.epochs(); epoch++) {
        int[] order = permutation(train.size(), rng);
        double sum = 0;
        for (int from = 0; from < order.length; from += config.batchSize()) {
          int[] idx = java.util.Arrays.copyOfRange(order, from, Math.min(order.length, from + config.batchSize()));
          Batch batch = compose(train, synthetic, idx, config, rng);
          for (boolean r : batch.replaced()) {
            drawn++;
            replaced += r ? 1 : 0;
          }
          try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(batch.pixels(), new Shape(idx.length, 3, train.height(), train.width()));
            NDArray target = smoothedTargets(scope, batch.labels(), model.classes(), config.labelSmoothing());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              NDArray logits = model.logits(new ParameterStore(scope, false), x, true);
              NDArray loss = logits.logSoftmax(1).mul(target).sum(new int[] {1}).neg().mean();
              gc.backward(loss);
              sum += loss.getFloat() * idx.length;
            }
            double lr = LearningRate.warmupCosine(config.lr(), warmup, totalSteps, step++);
            if (sgd != null) {
              sgd.step(lr);
            } else {
              adamw.step(lr);
            }
          }
        }
        losses.add(sum / train.size());
        progress.advance(1, String.format(Locale.ROOT, "loss %.4f", sum / train.size()));
      }
    } finally {
      if (sgd != null) {
        sgd.close();
      } else {
        adamw.close();
      }
    }
    double[] perClass = new double[model.classes()];
    double accuracy = evaluate(model, test, perClass);
    return new Result(
        accuracy, perClass, losses, drawn == 0 ? 0 : (double) replaced / drawn,
        (System.nanoTime() - start) / 1e9, config);
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
      LabeledImages train, Map<Integer, List<float[]>> synthetic, int[] idx, TrainConfig config, Random rng) {
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
