package io.diffii.classify;

/**
 * How a classifier is trained.
 *
 * @param epochs passes over the real training images
 * @param batchSize images per step
 * @param optimizer SGD with momentum 0.9 (the ResNet recipe) or AdamW (the ViT recipe)
 * @param lr peak learning rate, reached after a linear warm-up over the first 10 % of steps, then
 *     cosine decay to 0
 * @param weightDecay L2 (SGD) or decoupled (AdamW) weight decay
 * @param labelSmoothing label smoothing ε (0.1 in the comparison code)
 * @param replacementProbability p: each drawn real image is replaced, with this probability, by a
 *     random synthetic image of its class (Diff-II's training rule; classes without synthetic
 *     images are never replaced)
 * @param augment random crop with 4 pixels of padding and horizontal flip
 * @param seed seeds the order, replacements, augmentation and the new head
 * @param mix Mixup or CutMix of whole batches with probability 0.5 ({@link BatchMix}), or none
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
    BatchMix mix) {

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
        BatchMix.NONE);
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
        epochs, batchSize, optimizer, lr, weightDecay, labelSmoothing, p, augment, seed, mix);
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
        mix);
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
        mix);
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
        newMix);
  }
}
