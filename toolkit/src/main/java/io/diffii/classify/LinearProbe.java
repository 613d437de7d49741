package io.diffii.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.diffii.nn.Compute;
import io.diffii.train.AdamW;
import io.diffii.train.TrainingLoop;
import java.util.Map;

/**
 * A linear probe: logistic regression on a frozen backbone's features, the standard measure of how
 * much a pretrained representation already separates classes it was not trained on.
 */
public final class LinearProbe {

  private LinearProbe() {}

  /**
   * Fits a linear classifier on {@code model}'s features of {@code train} (full batch, AdamW, 300
   * steps) and returns its accuracy on {@code test}.
   */
  public static double accuracy(
      Classifier model, LabeledImages train, LabeledImages test, int classes) {
    try (NDManager manager = Compute.newManager()) {
      NDArray trainFeatures = features(model, train, manager);
      NDArray testFeatures = features(model, test, manager);
      NDArray mean = trainFeatures.mean(new int[] {0}, true);
      NDArray std = trainFeatures.sub(mean).square().mean(new int[] {0}, true).sqrt().add(1e-6f);
      NDArray x = trainFeatures.sub(mean).div(std);
      NDArray xt = testFeatures.sub(mean).div(std);
      long f = x.getShape().get(1);
      NDArray w = manager.zeros(new ai.djl.ndarray.types.Shape(f, classes));
      NDArray b = manager.zeros(new ai.djl.ndarray.types.Shape(classes));
      NDArray y = manager.create(train.labels()).toType(DataType.INT64, false).oneHot(classes);
      try (AdamW opt = new AdamW(Map.of("w", w, "b", b), AdamW.Config.withWeightDecay(1e-4))) {
        // Full batch: nothing is drawn, so the seed is immaterial.
        TrainingLoop.named("linear probe", 300, 0)
            .optimize("probe", opt, step -> 0.01)
            .quiet()
            .run(
                (step, rng, scope) ->
                    x.matMul(w).add(b).logSoftmax(1).mul(y).sum(new int[] {1}).neg().mean());
      }
      long[] pred = xt.matMul(w).add(b).argMax(1).toLongArray();
      int right = 0;
      for (int i = 0; i < pred.length; i++) {
        right += pred[i] == test.labels()[i] ? 1 : 0;
      }
      return (double) right / pred.length;
    }
  }

  private static NDArray features(Classifier model, LabeledImages data, NDManager manager) {
    NDList parts = new NDList();
    for (int from = 0; from < data.size(); from += 500) {
      try (NDManager scope = manager.newSubManager()) {
        NDArray batch = data.batch(scope, from, Math.min(data.size(), from + 500));
        NDArray feat =
            model.features(new ai.djl.training.ParameterStore(scope, false), batch, false);
        feat.attach(manager);
        parts.add(feat);
      }
    }
    return NDArrays.concat(parts);
  }
}
