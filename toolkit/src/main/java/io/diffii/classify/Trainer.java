package io.diffii.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffii.nn.Compute;
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
 * with the configured probability (Diff-II's rule), and evaluates it. Real and synthetic images
 * must already be at the classifier's input ({@link Classifier#transform}, which {@link
 * LabeledImages#of} applies); test or synthetic images of another size than the training images are
 * an error naming both shapes. Targets are distributions: one-hot for real images, a synthetic
 * image's soft label when it has one, mixed by {@link BatchMix} when the config asks; label
 * smoothing then applies and the loss is the soft-target cross-entropy \(-\sum_c y_c \log
 * \mathrm{softmax}(z)_c\), which is the usual cross-entropy for one-hot targets.
 */
public final class Trainer {

  /**
   * What one training run measured.
   *
   * @param accuracy the fraction of test images classified right
   * @param perClassAccuracy that fraction within each class (NaN for a class without test images)
   * @param epochLosses the mean training loss of each epoch
   * @param replacedFraction the fraction of drawn images replaced by synthetic ones
   * @param skippedSteps the steps dropped as non-finite
   * @param seconds the wall time of training and evaluation
   * @param config the recipe it ran
   * @param predictions the predicted class of each test image, in the test set's order (for
   *     measures over groups of test images, such as {@code io.diffii.metrics.GroupAccuracy})
   */
  public record Result(
      double accuracy,
      double[] perClassAccuracy,
      List<Double> epochLosses,
      double replacedFraction,
      int skippedSteps,
      double seconds,
      TrainConfig config,
      int[] predictions) {
    /** {@inheritDoc} */
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "accuracy %.2f%% (replaced %.0f%% of draws, %s%d epochs, %d steps dropped as non-finite, %.0f s, seed %d)",
          100 * accuracy,
          100 * replacedFraction,
          config.mix() == BatchMix.NONE
              ? ""
              : config.mix().name().toLowerCase(Locale.ROOT) + " on half the batches, ",
          config.epochs(),
          skippedSteps,
          seconds,
          config.seed());
    }
  }

  /**
   * One assembled batch: pixels, target distributions ({@code [B × C]}, before label smoothing),
   * which draws were replaced by synthetic images, and the fraction λ of each image that is its own
   * (1 when the batch was not mixed).
   */
  record Batch(float[] pixels, float[] targets, boolean[] replaced, double lambda) {}

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
    return train(model, train, SyntheticPool.of(synthetic), test, config, null, Long.MAX_VALUE);
  }

  /**
   * Trains {@code model} (arrays in its own manager) on {@code train}, with the {@code synthetic}
   * pool (soft labels allowed), and returns its accuracy on {@code test}.
   */
  public static Result train(
      Classifier model,
      LabeledImages train,
      SyntheticPool synthetic,
      LabeledImages test,
      TrainConfig config) {
    return train(model, train, synthetic, test, config, null, Long.MAX_VALUE);
  }

  /**
   * Trains as {@link #train(Classifier, LabeledImages, SyntheticPool, LabeledImages, TrainConfig)},
   * saving a checkpoint in {@code checkpoint} after every epoch and resuming from it when it
   * exists, so an interrupted run ends with exactly the weights and figures of an uninterrupted
   * one. The checkpoint is left in place; the caller deletes it once the result is recorded.
   */
  public static Result train(
      Classifier model,
      LabeledImages train,
      SyntheticPool synthetic,
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
      SyntheticPool synthetic,
      LabeledImages test,
      TrainConfig config,
      Path checkpoint,
      long stopAfter) {
    if (test.height() != train.height() || test.width() != train.width()) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "test images are 3x%dx%d, training images 3x%dx%d: bring both to the classifier"
                  + " with its transform()",
              test.height(),
              test.width(),
              train.height(),
              train.width()));
    }
    synthetic.requireSize(train.height(), train.width());
    long start = System.nanoTime();
    Map<String, NDArray> params = Weights.trainable(model);
    int n = train.size();
    int stepsPerEpoch = (n + config.batchSize() - 1) / config.batchSize();
    int totalSteps = stepsPerEpoch * config.epochs();
    int warmup = Math.max(1, totalSteps / 10);
    Tally tally = new Tally(totalSteps, params.values().iterator().next().getManager());
    ClassBalance balance = ClassBalance.of(train.labels(), model.classes());
    float[] drw = drwWeights(train, model.classes(), config);
    int drwFrom =
        config.longTail() == null
            ? Integer.MAX_VALUE
            : TrainConfig.LongTail.drwEpoch(config.epochs());
    TrainingLoop.Result run;
    try (Optimizer optimizer = optimizer(params, config)) {
      TrainingLoop loop =
          TrainingLoop.named("classifier", totalSteps, config.seed())
              .optimize(
                  "model",
                  optimizer,
                  step ->
                      config.longTail() == null
                          ? LearningRate.warmupCosine(config.lr(), warmup, totalSteps, (int) step)
                          : TrainConfig.LongTail.learningRate(
                              config.lr(), config.epochs(), stepsPerEpoch, (int) step))
              .state("tally", tally)
              .stopAfter(stopAfter);
      Map<String, NDArray> buffers = Weights.buffers(model);
      if (!buffers.isEmpty()) {
        // BatchNorm's running statistics move every step, so a resumed run needs them too.
        loop.state("buffers", Stateful.of(buffers));
      }
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
                        model.classes(),
                        balance,
                        rng);
                for (boolean r : batch.replaced()) {
                  tally.drawn++;
                  tally.replaced += r ? 1 : 0;
                }
                NDArray loss =
                    loss(
                        model,
                        batch,
                        train,
                        config,
                        step / stepsPerEpoch >= drwFrom ? drw : null,
                        scope);
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
    int[] predictions = predict(model, test);
    double[] perClass = new double[model.classes()];
    double accuracy = accuracy(test.labels(), predictions, perClass);
    return new Result(
        accuracy,
        perClass,
        losses,
        tally.drawn == 0 ? 0 : (double) tally.replaced / tally.drawn,
        run.skippedSteps(),
        (System.nanoTime() - start) / 1e9,
        config,
        predictions);
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

  /**
   * Soft-target cross-entropy of the batch's logits against its label-smoothed targets, weighted
   * per class when {@code classWeights} is given (DRW).
   */
  private static NDArray loss(
      Classifier model,
      Batch batch,
      LabeledImages train,
      TrainConfig config,
      float[] classWeights,
      NDManager scope) {
    int size = batch.replaced().length;
    NDArray x = scope.create(batch.pixels(), new Shape(size, 3, train.height(), train.width()));
    NDArray target =
        scope.create(
            smooth(batch.targets(), model.classes(), config.labelSmoothing()),
            new Shape(size, model.classes()));
    NDArray logits = model.logits(new ParameterStore(scope, false), x, true);
    return classWeights == null
        ? softCrossEntropy(logits, target)
        : weightedCrossEntropy(
            logits, target, scope.create(classWeights, new Shape(1, model.classes())));
  }

  /**
   * Returns the class-weighted soft-target cross-entropy \(\sum_i \sum_c w_c y_{ic} (-\log
   * \mathrm{softmax}(z_i)_c) / \sum_i \sum_c w_c y_{ic}\) of logits {@code [B, C]} against target
   * distributions {@code [B, C]} with weights {@code [1, C]}: for one-hot targets, PyTorch's {@code
   * cross_entropy(weight=w)} (the weighted mean the DRW code uses); for mixed targets each class's
   * share of a target carries its class's weight.
   */
  public static NDArray weightedCrossEntropy(NDArray logits, NDArray targets, NDArray weights) {
    if (!logits.getShape().equals(targets.getShape())) {
      throw new IllegalArgumentException(
          "logits " + logits.getShape() + " and targets " + targets.getShape() + " differ");
    }
    NDArray weighted = targets.mul(weights);
    return logits.logSoftmax(1).mul(weighted).sum().neg().div(weighted.sum());
  }

  /**
   * Returns DRW's class weights for the real training counts, or null when the config does not
   * re-weight.
   */
  private static float[] drwWeights(LabeledImages train, int classes, TrainConfig config) {
    if (config.longTail() == null || !config.longTail().reweight()) {
      return null;
    }
    int[] counts = new int[classes];
    for (int y : train.labels()) {
      counts[y]++;
    }
    double[] w = ClassBalance.effectiveNumberWeights(counts, TrainConfig.LongTail.BETA);
    float[] out = new float[classes];
    for (int c = 0; c < classes; c++) {
      out[c] = (float) w[c];
    }
    return out;
  }

  /**
   * Returns the mean soft-target cross-entropy \(-\frac{1}{B}\sum_i \sum_c y_{ic} \log
   * \mathrm{softmax}(z_i)_c\) of logits {@code [B, C]} against target distributions {@code [B, C]}.
   */
  public static NDArray softCrossEntropy(NDArray logits, NDArray targets) {
    if (!logits.getShape().equals(targets.getShape())) {
      throw new IllegalArgumentException(
          "logits " + logits.getShape() + " and targets " + targets.getShape() + " differ");
    }
    return logits.logSoftmax(1).mul(targets).sum(new int[] {1}).neg().mean();
  }

  private static Optimizer optimizer(Map<String, NDArray> params, TrainConfig config) {
    return config.optimizer() == TrainConfig.Optimizer.SGD
        ? new Sgd(params, 0.9, config.weightDecay())
        : new AdamW(params, AdamW.Config.withWeightDecay(config.weightDecay()));
  }

  /** Returns the accuracy on {@code data}, filling per-class accuracy when the array is given. */
  public static double evaluate(Classifier model, LabeledImages data, double[] perClass) {
    return accuracy(data.labels(), predict(model, data), perClass);
  }

  /** Returns the model's predicted class of each image of {@code data}, in its order. */
  public static int[] predict(Classifier model, LabeledImages data) {
    int[] predictions = new int[data.size()];
    try (NDManager manager = Compute.newManager()) {
      for (int from = 0; from < data.size(); from += 500) {
        try (NDManager scope = manager.newSubManager()) {
          int to = Math.min(data.size(), from + 500);
          System.arraycopy(
              model.predict(data.batch(scope, from, to)), 0, predictions, from, to - from);
        }
      }
    }
    return predictions;
  }

  /**
   * Returns the fraction of {@code predictions} equal to {@code labels}, filling per-class accuracy
   * (NaN for a class without images) when the array is given.
   */
  private static double accuracy(int[] labels, int[] predictions, double[] perClass) {
    int classes = perClass == null ? 0 : perClass.length;
    int[] correct = new int[classes];
    int[] count = new int[classes];
    int right = 0;
    for (int i = 0; i < labels.length; i++) {
      boolean hit = predictions[i] == labels[i];
      right += hit ? 1 : 0;
      if (perClass != null) {
        count[labels[i]]++;
        correct[labels[i]] += hit ? 1 : 0;
      }
    }
    for (int c = 0; c < classes; c++) {
      perClass[c] = count[c] == 0 ? Double.NaN : (double) correct[c] / count[c];
    }
    return (double) right / labels.length;
  }

  /** Draws the batch for {@code idx} as the trainer does, CMO sampling from {@code train}. */
  static Batch compose(
      LabeledImages train,
      SyntheticPool synthetic,
      int[] idx,
      TrainConfig config,
      int classes,
      Random rng) {
    return compose(
        train, synthetic, idx, config, classes, ClassBalance.of(train.labels(), classes), rng);
  }

  /**
   * Draws the batch for {@code idx}: replacement by synthetic images, augmentation, then batch
   * mixing when the config asks for it (CMO's second batch drawn by {@code balance}).
   */
  static Batch compose(
      LabeledImages train,
      SyntheticPool synthetic,
      int[] idx,
      TrainConfig config,
      int classes,
      ClassBalance balance,
      Random rng) {
    int per = 3 * train.height() * train.width();
    float[] pixels = new float[Math.toIntExact((long) idx.length * per)];
    float[] targets = new float[Math.multiplyExact(idx.length, classes)];
    boolean[] replaced = new boolean[idx.length];
    for (int b = 0; b < idx.length; b++) {
      int label = train.labels()[idx[b]];
      float[] image = train.images().get(idx[b]);
      float[] target = null;
      int pooled = synthetic.size(label);
      if (pooled > 0 && rng.nextDouble() < config.replacementProbability()) {
        SyntheticPool.Image drawn = synthetic.image(label, rng.nextInt(pooled));
        SyntheticPool.requireSize(drawn, label, train.height(), train.width());
        image = drawn.chw();
        target = drawn.target();
        replaced[b] = true;
      }
      if (config.augment()) {
        image = augment(image, train.height(), train.width(), rng);
      }
      System.arraycopy(image, 0, pixels, b * per, per);
      if (target == null) {
        targets[b * classes + label] = 1;
      } else if (target.length != classes) {
        throw new IllegalArgumentException(
            "a synthetic image of class "
                + label
                + " has a soft label over "
                + target.length
                + " classes, the classifier has "
                + classes);
      } else {
        System.arraycopy(target, 0, targets, b * classes, classes);
      }
    }
    double lambda = 1;
    // Without a mix nothing is drawn, so such runs keep the stream (and results) they had before.
    if (config.mix() == BatchMix.CMO && rng.nextDouble() < BatchMix.PROBABILITY) {
      lambda = cmo(train, balance, pixels, targets, config, classes, rng);
    } else if (config.mix() != BatchMix.NONE
        && config.mix() != BatchMix.CMO
        && rng.nextDouble() < BatchMix.PROBABILITY) {
      lambda = mix(config.mix(), pixels, targets, classes, train.height(), train.width(), rng);
    }
    return new Batch(pixels, targets, replaced, lambda);
  }

  /**
   * CMO in place: draws a second batch of real images by {@link ClassBalance#draw} (augmented as
   * the first), and pastes a CutMix box of its i-th image into the batch's i-th image; returns λ.
   */
  static double cmo(
      LabeledImages train,
      ClassBalance balance,
      float[] pixels,
      float[] targets,
      TrainConfig config,
      int classes,
      Random rng) {
    int n = targets.length / classes;
    int per = 3 * train.height() * train.width();
    float[] minority = new float[pixels.length];
    float[] minorityTargets = new float[targets.length];
    int[] same = new int[n];
    for (int b = 0; b < n; b++) {
      int i = balance.draw(rng);
      float[] image = train.images().get(i);
      if (config.augment()) {
        image = augment(image, train.height(), train.width(), rng);
      }
      System.arraycopy(image, 0, minority, b * per, per);
      minorityTargets[b * classes + train.labels()[i]] = 1;
      same[b] = b;
    }
    return paste(
        BatchMix.CUTMIX,
        pixels,
        targets,
        minority,
        minorityTargets,
        same,
        classes,
        train.height(),
        train.width(),
        rng);
  }

  /**
   * Mixes a batch in place ({@link BatchMix}): each image i with image π(i) of a random permutation
   * π, pixels and targets by the same ratio; returns λ, the fraction of each image that is its own.
   */
  static double mix(
      BatchMix kind, float[] pixels, float[] targets, int classes, int h, int w, Random rng) {
    int[] partner = permutation(targets.length / classes, rng);
    return paste(
        kind, pixels, targets, pixels.clone(), targets.clone(), partner, classes, h, w, rng);
  }

  /**
   * Mixes image i of a batch in place with image {@code partner[i]} of {@code source} (pixels and
   * targets by the same ratio, Mixup or CutMix as {@code kind}); returns λ, the fraction of each
   * image that is its own.
   */
  private static double paste(
      BatchMix kind,
      float[] pixels,
      float[] targets,
      float[] source,
      float[] sourceTargets,
      int[] partner,
      int classes,
      int h,
      int w,
      Random rng) {
    int n = targets.length / classes;
    int per = 3 * h * w;
    double lambda = rng.nextDouble();
    if (kind == BatchMix.CUTMIX) {
      // A box of side ratio √(1 − λ) centred uniformly, clipped to the image; λ becomes the exact
      // fraction of pixels kept.
      double cut = Math.sqrt(1 - lambda);
      int cutH = (int) (h * cut);
      int cutW = (int) (w * cut);
      int cy = rng.nextInt(h);
      int cx = rng.nextInt(w);
      int y0 = Math.max(cy - cutH / 2, 0);
      int y1 = Math.min(cy + cutH / 2, h);
      int x0 = Math.max(cx - cutW / 2, 0);
      int x1 = Math.min(cx + cutW / 2, w);
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < 3; c++) {
          for (int y = y0; y < y1; y++) {
            int row = i * per + (c * h + y) * w;
            int from = partner[i] * per + (c * h + y) * w;
            System.arraycopy(source, from + x0, pixels, row + x0, x1 - x0);
          }
        }
      }
      lambda = 1 - (double) (y1 - y0) * (x1 - x0) / (h * w);
    } else {
      for (int i = 0; i < n; i++) {
        for (int p = 0; p < per; p++) {
          pixels[i * per + p] =
              (float) (lambda * pixels[i * per + p] + (1 - lambda) * source[partner[i] * per + p]);
        }
      }
    }
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < classes; c++) {
        targets[i * classes + c] =
            (float)
                (lambda * targets[i * classes + c]
                    + (1 - lambda) * sourceTargets[partner[i] * classes + c]);
      }
    }
    return lambda;
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

  /** Returns label-smoothed targets (1 − ε)·y + ε/C. */
  private static float[] smooth(float[] targets, int classes, double eps) {
    float[] t = new float[targets.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) ((1 - eps) * targets[i] + eps / classes);
    }
    return t;
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
