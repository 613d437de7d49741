package io.diffii.embedded;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.diffii.classify.Classifier;
import io.diffii.classify.LabeledImages;
import io.diffii.classify.LinearProbe;
import io.diffii.classify.ResNet;
import io.diffii.classify.TrainConfig;
import io.diffii.classify.Trainer;
import io.diffii.classify.VisionTransformer;
import io.diffii.data.CoarseGroup;
import io.diffii.nn.Compute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pretrains the classifier backbones on the coarse labels of the scene corpus, standing in for
 * ImageNet pretraining: the downstream task then fine-tunes them on the 10 fine classes, which they
 * have never been told apart. Also measures a linear probe on the fine classes.
 */
public final class BackbonePretraining {

  private BackbonePretraining() {}

  /** Returns the ResNet recipe: SGD 0.05, batch 128, weight decay 5e-4, label smoothing 0.1. */
  public static TrainConfig resnetRecipe(int epochs) {
    return new TrainConfig(epochs, 128, TrainConfig.Optimizer.SGD, 0.05, 5e-4, 0.1, 0, true, 0);
  }

  /** Returns the ViT recipe: AdamW 1e-3, batch 128, weight decay 0.05, label smoothing 0.1. */
  public static TrainConfig vitRecipe(int epochs) {
    return new TrainConfig(epochs, 128, TrainConfig.Optimizer.ADAMW, 1e-3, 0.05, 0.1, 0, true, 0);
  }

  /**
   * Trains each backbone whose folder under {@code out} does not exist yet ({@code resnet}, {@code
   * vit}) and returns coarse test accuracy and the fine-class linear-probe accuracy.
   */
  public static Map<String, Object> run(SceneCorpus train, SceneCorpus test, Path out, int epochs) {
    Map<String, Object> report = new LinkedHashMap<>();
    LabeledImages coarseTrain = labeled(train, true);
    LabeledImages coarseTest = labeled(test, true);
    LabeledImages fineProbeTrain = labeled(train, false).firstN(10_000);
    LabeledImages fineTest = labeled(test, false);
    for (String name : List.of("resnet", "vit")) {
      Path dir = out.resolve(name);
      try (NDManager manager = Compute.newManager()) {
        Engine.getInstance().setRandomSeed(0);
        Classifier model;
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
          model = Classifier.load(dir, manager);
        } else {
          int classes = CoarseGroup.values().length;
          model = name.equals("resnet") ? ResNet.small(classes) : VisionTransformer.small(classes);
          model.initializeParameters(manager);
          TrainConfig recipe = name.equals("resnet") ? resnetRecipe(epochs) : vitRecipe(epochs);
          Trainer.Result r = Trainer.train(model, coarseTrain, Map.of(), coarseTest, recipe);
          report.put(name + "_train_seconds", r.seconds());
          model.save(dir, true);
        }
        report.put(name + "_coarse_accuracy", Trainer.evaluate(model, coarseTest, null));
        report.put(
            name + "_fine_linear_probe", LinearProbe.accuracy(model, fineProbeTrain, fineTest, 10));
      }
    }
    return report;
  }

  /** Returns the corpus's images with coarse-group (true) or fine labels. */
  public static LabeledImages labeled(SceneCorpus corpus, boolean coarse) {
    List<float[]> images = new ArrayList<>(corpus.size());
    int[] labels = new int[corpus.size()];
    for (int i = 0; i < corpus.size(); i++) {
      float[] px = new float[SceneCorpus.PIXELS];
      corpus.pixels(i, px);
      images.add(px);
      labels[i] = coarse ? corpus.coarse(i).ordinal() : corpus.fine(i);
    }
    return new LabeledImages(images, labels, 32, 32);
  }
}
