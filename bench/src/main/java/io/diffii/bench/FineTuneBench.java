package io.diffii.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.diffii.classify.Backbone;
import io.diffii.classify.Classifier;
import io.diffii.classify.FineTune;
import io.diffii.classify.LabeledImages;
import io.diffii.classify.SyntheticPool;
import io.diffii.classify.TrainConfig;
import io.diffii.classify.Trainer;
import io.diffii.data.FashionMnist;
import io.diffii.data.Splits;
import io.diffii.embedded.Embedded;
import io.diffii.model.ResizeCrop;
import io.diffii.nn.NoGrad;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Fine-tuning a shipped backbone with its few-shot recipe ({@link FineTune#fewShotRecipe}: batch
 * 32, crop and flip) for one epoch of {@link #steps} full batches of real training images, from a
 * freshly loaded backbone with a new head for the 10 classes. A run also builds the optimiser and
 * predicts one test image; those costs do not depend on the step count, so the table's per-step
 * figure is the difference between the two step counts divided by the difference of steps.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class FineTuneBench {

  /** "resnet" or "vit". */
  @Param({"resnet", "vit"})
  public String backbone;

  /** Optimiser steps per run. */
  @Param({"1", "5"})
  public int steps;

  private TrainConfig config;
  private LabeledImages train;
  private LabeledImages test;
  private NDManager manager;
  private Classifier model;

  /** Loads the training images. */
  @Setup(Level.Trial)
  public void images() {
    config = FineTune.fewShotRecipe(Backbone.of(backbone)).withEpochs(1);
    int needed = steps * config.batchSize();
    ResizeCrop transform;
    try (NDManager probe = NDManager.newBaseManager()) {
      transform = Classifier.load(Embedded.backbone(Backbone.of(backbone)), probe).transform();
    }
    // 20 shots of 10 classes: enough full batches for the larger step count.
    train = LabeledImages.of(Splits.fewShot(20, 0).train(), transform).firstN(needed);
    if (train.size() < needed) {
      throw new IllegalStateException("need " + needed + " training images, got " + train.size());
    }
    test = train.firstN(1);
  }

  /** Loads the backbone with a new head, as each fine-tuning run does. */
  @Setup(Level.Invocation)
  public void backbone() {
    manager = NDManager.newBaseManager();
    try (NoGrad off = NoGrad.open()) {
      Engine.getInstance().setRandomSeed(0);
      model =
          Classifier.load(Embedded.backbone(Backbone.of(backbone)), manager)
              .withNewHead(FashionMnist.CLASS_NAMES.size(), manager);
    }
  }

  /** Fine-tunes for the steps. */
  @Benchmark
  public Trainer.Result fineTune() {
    return Trainer.train(model, train, SyntheticPool.empty(), test, config);
  }

  /** Frees the backbone. */
  @TearDown(Level.Invocation)
  public void closeBackbone() {
    manager.close();
  }

  /** Records the facts of the run. */
  @TearDown(Level.Trial)
  public void record(BenchmarkParams params) {
    int batch = config.batchSize();
    Facts.record(params, Facts.of(batch, 0, (double) batch * steps, "images"));
  }
}
