package io.diffii.classify;

import io.diffii.train.LearningRate;

/**
 * How a classifier is trained.
 *
 * @param epochs passes over the real training images
 * @param batchSize images per step
 * @param optimizer SGD with momentum 0.9 (the ResNet recipe) or AdamW (the ViT recipe)
 * @param lr peak learning rate, reached after a linear warm-up over the first 10 % of steps, then
 *     cosine decay to 0 (or {@link LongTail#learningRate}'s step schedule)
 * @param weightDecay L2 (SGD) or decoupled (AdamW) weight decay
 * @param labelSmoothing label smoothing ε (0.1 in the comparison code)
 * @param replacementProbability p: each drawn real image is replaced, with this probability, by a
 *     random synthetic image of its class (Diff-II's training rule; classes without synthetic
 *     images are never replaced)
 * @param augment random crop with 4 pixels of padding and horizontal flip
 * @param seed seeds the order, replacements, augmentation and the new head
 * @param mix Mixup, CutMix or CMO of whole batches with probability 0.5 ({@link BatchMix}), or none
 * @param longTail the long-tail recipe's schedule and deferred re-weighting, or null for the
 *     few-shot recipe's warm-up and cosine decay (null is left out of a config's JSON, so configs
 *     without it keep the settings hashes they had before it existed)
 */
public record TrainConfig(
    int epochs,
    int batchSize,
    Optimizer optimizer,
    double lr,
    double weightDecay,
    double labelSmoothing,
    double replacementProbability,
    boolean augment,
    long seed,
    BatchMix mix,
    LongTail longTail) {

  /**
   * The long-tail recipe of the comparison code (Table 2's classifiers: 200 epochs, 5 warm-up
   * epochs, learning rate ×0.01 after epoch 160 and ×1e-4 after 180, DRW from epoch 160), as
   * fractions of the configured epochs so it scales to the embedded benchmark's shorter runs.
   *
   * @param reweight deferred re-weighting (DRW, Cao et al. 2019): from epoch {@link #drwEpoch} on,
   *     each class's loss is weighted by {@link ClassBalance#effectiveNumberWeights} of the real
   *     training counts with β = {@link #BETA}
   */
  public record LongTail(boolean reweight) {

    /** The effective-number β of the class-balanced weights (Cui et al. 2019). */
    public static final double BETA = 0.9999;

    /** The warm-up's share of the epochs: 5 of 200. */
    public static final double WARMUP = 5 / 200.0;

    /** Where the learning rate drops, as shares of the epochs: epochs 160 and 180 of 200. */
    public static final double[] DECAY_AT = {160 / 200.0, 180 / 200.0};

    /** The learning rate's factor after each drop. */
    public static final double[] DECAY_FACTOR = {0.01, 1e-4};

    /** Where DRW switches on, as a share of the epochs: epoch 160 of 200. */
    public static final double DRW_AT = 160 / 200.0;

    /** Returns the first epoch (0-based) with re-weighted loss: ⌊0.8·epochs⌋. */
    public static int drwEpoch(int epochs) {
      return (int) Math.floor(DRW_AT * epochs + 1e-9);
    }

    /**
     * Returns the learning rate at {@code step} for a run of {@code epochs} epochs of {@code
     * stepsPerEpoch} steps: linear warm-up over ⌈2.5 % of the steps⌉, then {@code base}, times 0.01
     * from epoch ⌊0.8·epochs⌋ and 1e-4 from epoch ⌊0.9·epochs⌋.
     */
    public static double learningRate(double base, int epochs, int stepsPerEpoch, int step) {
      int total = epochs * stepsPerEpoch;
      int warmup = Math.max(1, (int) Math.ceil(WARMUP * total));
      int[] milestones = new int[DECAY_AT.length];
      for (int i = 0; i < milestones.length; i++) {
        milestones[i] = (int) Math.floor(DECAY_AT[i] * epochs + 1e-9) * stepsPerEpoch;
      }
      return LearningRate.warmupSteps(base, warmup, milestones, DECAY_FACTOR, step);
    }
  }

  /** A config without the long-tail recipe. */
  public TrainConfig(
      int epochs,
      int batchSize,
      Optimizer optimizer,
      double lr,
      double weightDecay,
      double labelSmoothing,
      double replacementProbability,
      boolean augment,
      long seed,
      BatchMix mix) {
    this(
        epochs,
        batchSize,
        optimizer,
        lr,
        weightDecay,
        labelSmoothing,
        replacementProbability,
        augment,
        seed,
        mix,
        null);
  }

  /** A config without batch mixing. */
  public TrainConfig(
      int epochs,
      int batchSize,
      Optimizer optimizer,
      double lr,
      double weightDecay,
      double labelSmoothing,
      double replacementProbability,
      boolean augment,
      long seed) {
    this(
        epochs,
        batchSize,
        optimizer,
        lr,
        weightDecay,
        labelSmoothing,
        replacementProbability,
        augment,
        seed,
        BatchMix.NONE,
        null);
  }

  /** Validates the ranges. */
  public TrainConfig {
    if (epochs <= 0
        || batchSize <= 0
        || lr <= 0
        || weightDecay < 0
        || labelSmoothing < 0
        || labelSmoothing >= 1
        || replacementProbability < 0
        || replacementProbability > 1) {
      throw new IllegalArgumentException("invalid training config " + this);
    }
    if (optimizer == null || mix == null) {
      throw new IllegalArgumentException("a training config needs an optimizer and a batch mix");
    }
  }

  /** The optimisers a classifier is trained with. */
  public enum Optimizer {
    /** SGD with momentum 0.9 and L2 weight decay. */
    SGD,
    /** AdamW with decoupled weight decay. */
    ADAMW
  }

  /** Returns a copy with another replacement probability. */
  public TrainConfig withReplacementProbability(double p) {
    return new TrainConfig(
        epochs,
        batchSize,
        optimizer,
        lr,
        weightDecay,
        labelSmoothing,
        p,
        augment,
        seed,
        mix,
        longTail);
  }

  /** Returns a copy with another seed. */
  public TrainConfig withSeed(long newSeed) {
    return new TrainConfig(
        epochs,
        batchSize,
        optimizer,
        lr,
        weightDecay,
        labelSmoothing,
        replacementProbability,
        augment,
        newSeed,
        mix,
        longTail);
  }

  /** Returns a copy with another number of epochs. */
  public TrainConfig withEpochs(int newEpochs) {
    return new TrainConfig(
        newEpochs,
        batchSize,
        optimizer,
        lr,
        weightDecay,
        labelSmoothing,
        replacementProbability,
        augment,
        seed,
        mix,
        longTail);
  }

  /** Returns a copy with another batch mix. */
  public TrainConfig withMix(BatchMix newMix) {
    return new TrainConfig(
        epochs,
        batchSize,
        optimizer,
        lr,
        weightDecay,
        labelSmoothing,
        replacementProbability,
        augment,
        seed,
        newMix,
        longTail);
  }

  /** Returns a copy with the long-tail recipe {@code recipe} (null: the few-shot schedule). */
  public TrainConfig withLongTail(LongTail recipe) {
    return new TrainConfig(
        epochs,
        batchSize,
        optimizer,
        lr,
        weightDecay,
        labelSmoothing,
        replacementProbability,
        augment,
        seed,
        mix,
        recipe);
  }
}
