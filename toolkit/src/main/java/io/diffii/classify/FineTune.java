package io.diffii.classify;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.diffii.nn.Compute;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Fine-tunes a pretrained backbone on a downstream task: the body's weights from the backbone's
 * folder, a new head for the task's classes, then {@link Trainer#train} with the replacement
 * probability of the config (0 trains on real images only).
 */
public final class FineTune {

  private FineTune() {}

  /**
   * Returns the few-shot recipe of a backbone type, as the comparison code's protocol scaled to the
   * embedded images: ResNet SGD lr 0.05, weight decay 5e-4; ViT AdamW lr 1e-4, weight decay 0.05;
   * batch 32, 128 epochs, 10 % warm-up then cosine, label smoothing 0.1, crop and flip, replacement
   * probability 0.5.
   */
  public static TrainConfig fewShotRecipe(Backbone backbone) {
    return switch (backbone) {
      case RESNET ->
          new TrainConfig(128, 32, TrainConfig.Optimizer.SGD, 0.05, 5e-4, 0.1, 0.5, true, 0);
      case VIT ->
          new TrainConfig(128, 32, TrainConfig.Optimizer.ADAMW, 1e-4, 0.05, 0.1, 0.5, true, 0);
    };
  }

  /**
   * Returns the long-tail recipe of a backbone type (Table 2): the comparison code's long-tail
   * protocol ({@link TrainConfig.LongTail}: warm-up over 2.5 % of the epochs, learning rate ×0.01
   * at 80 % and ×1e-4 at 90 %, plain cross-entropy without label smoothing, weight decay 2e-4 for
   * SGD) over 64 epochs instead of 200, as the embedded splits are tiny (120–200 images at n_max
   * 50); the peak rate and batch are the embedded few-shot recipe's (the paper's rate 0.005 is for
   * batch 128 on an ImageNet ResNet-50), replacement probability 0.5 for the generative methods.
   */
  public static TrainConfig longTailRecipe(Backbone backbone) {
    TrainConfig c =
        switch (backbone) {
          case RESNET ->
              new TrainConfig(64, 32, TrainConfig.Optimizer.SGD, 0.05, 2e-4, 0, 0.5, true, 0);
          case VIT ->
              new TrainConfig(64, 32, TrainConfig.Optimizer.ADAMW, 1e-4, 0.05, 0, 0.5, true, 0);
        };
    return c.withLongTail(new TrainConfig.LongTail(false));
  }

  /**
   * Loads the backbone in {@code backboneDir}, gives it a new head of {@code classes} classes
   * (initialised from {@code config.seed()}), trains it on {@code train} mixed with {@code
   * synthetic} and returns the result on {@code test}.
   */
  public static Trainer.Result run(
      Path backboneDir,
      int classes,
      LabeledImages train,
      Map<Integer, List<float[]>> synthetic,
      LabeledImages test,
      TrainConfig config) {
    return run(backboneDir, classes, train, SyntheticPool.of(synthetic), test, config, null);
  }

  /**
   * Fine-tunes as {@link #run(Path, int, LabeledImages, Map, LabeledImages, TrainConfig)} with a
   * synthetic pool whose images may carry soft labels, and a checkpoint after every epoch in {@code
   * checkpoint} (null: none), from which an interrupted run resumes to exactly the uninterrupted
   * result; the caller deletes it once the result is kept.
   */
  public static Trainer.Result run(
      Path backboneDir,
      int classes,
      LabeledImages train,
      SyntheticPool synthetic,
      LabeledImages test,
      TrainConfig config,
      Path checkpoint) {
    try (NDManager manager = Compute.newManager()) {
      Classifier pretrained = Classifier.load(backboneDir, manager);
      Engine.getInstance().setRandomSeed((int) config.seed());
      Classifier model = pretrained.withNewHead(classes, manager);
      return Trainer.train(model, train, synthetic, test, config, checkpoint);
    }
  }
}
