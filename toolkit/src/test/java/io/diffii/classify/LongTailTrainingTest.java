package io.diffii.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Table 2's long-tail training: CMO's sampler and mix, DRW's weights and switch, the schedule. */
class LongTailTrainingTest {

  /** Class c has {@code sizes[c]} 16×16 images, each filled with its own index / 100. */
  private static LabeledImages imbalanced(int... sizes) {
    List<float[]> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    for (int c = 0; c < sizes.length; c++) {
      for (int i = 0; i < sizes[c]; i++) {
        float[] im = new float[3 * 16 * 16];
        java.util.Arrays.fill(im, images.size() / 100f);
        images.add(im);
        labels.add(c);
      }
    }
    return new LabeledImages(images, labels.stream().mapToInt(Integer::intValue).toArray(), 16, 16);
  }

  @Test
  void cmoSamplerDrawsImagesInProportionToOneOverTheirClassSize() {
    int[] sizes = {60, 30, 9, 1};
    LabeledImages train = imbalanced(sizes);
    ClassBalance balance = ClassBalance.of(train.labels(), 4);
    int draws = 400_000;
    int[] perImage = new int[train.size()];
    int[] perClass = new int[4];
    Random rng = new Random(42);
    for (int i = 0; i < draws; i++) {
      int d = balance.draw(rng);
      perImage[d]++;
      perClass[train.labels()[d]]++;
    }
    // Each class 1/4 of the draws (class-sum of the 1/n_c image weights), within 4σ.
    for (int c = 0; c < 4; c++) {
      double sigma = Math.sqrt(draws * 0.25 * 0.75);
      assertEquals(draws / 4.0, perClass[c], 4 * sigma, "class " + c);
    }
    // Each image ∝ 1/n_c: chi-square of the 100 image counts against 1/(4·n_c), 99 degrees of
    // freedom (mean 99, sd 14): below 99 + 4·14.
    double chi2 = 0;
    for (int i = 0; i < perImage.length; i++) {
      double expected = draws / (4.0 * sizes[train.labels()[i]]);
      chi2 += Math.pow(perImage[i] - expected, 2) / expected;
    }
    assertTrue(chi2 < 99 + 4 * 14, "chi-square " + chi2);
    // The one image of the rarest class is drawn 60 times as often as one of the largest.
    double ratio = perImage[99] / (perImage[0] / 1.0);
    assertEquals(60, ratio, 6, "ratio");
  }

  @Test
  void cmoPastesBoxesFromTheMinoritySamplerNotFromTheBatch() {
    // 9 images of class 0, 1 of class 1; the batch is all ten. A permutation CutMix would paste
    // class 1 in a tenth of the boxes; CMO's sampler pastes it in half of them.
    LabeledImages train = imbalanced(9, 1);
    int[] all = java.util.stream.IntStream.range(0, 10).toArray();
    TrainConfig cmo =
        new TrainConfig(1, 10, TrainConfig.Optimizer.SGD, 0.1, 0, 0, 0, false, 0, BatchMix.CMO);
    Random rng = new Random(7);
    double[] pasted = new double[2];
    int mixed = 0;
    int batches = 4000;
    for (int b = 0; b < batches; b++) {
      Trainer.Batch batch = Trainer.compose(train, SyntheticPool.empty(), all, cmo, 2, rng);
      if (batch.lambda() < 1) {
        mixed++;
      }
      for (int i = 0; i < 10; i++) {
        float[] own = new float[2];
        own[train.labels()[i]] = 1;
        for (int c = 0; c < 2; c++) {
          pasted[c] += batch.targets()[i * 2 + c] - batch.lambda() * own[c];
        }
      }
    }
    // Half the batches are mixed; boxes under 2 pixels a side are empty (λ stays 1).
    assertTrue(mixed > 0.4 * batches && mixed <= 0.5 * batches + 4 * Math.sqrt(batches * 0.25));
    double share = pasted[1] / (pasted[0] + pasted[1]);
    assertEquals(0.5, share, 0.03, "class 1's share of the pasted label mass");
  }

  @Test
  void drwWeightsAreTheEffectiveNumberFormula() {
    int[] counts = {50, 29, 17, 10, 6, 3, 2, 1, 1, 1};
    double beta = 0.9999;
    double[] w = ClassBalance.effectiveNumberWeights(counts, beta);
    double sum = 0;
    double[] raw = new double[counts.length];
    for (int c = 0; c < counts.length; c++) {
      raw[c] = (1 - beta) / (1 - Math.pow(beta, counts[c]));
      sum += raw[c];
    }
    for (int c = 0; c < counts.length; c++) {
      assertEquals(raw[c] * counts.length / sum, w[c], 1e-12);
    }
    assertEquals(10, java.util.Arrays.stream(w).sum(), 1e-9);
    // β → 1 makes the effective number n_c itself: weights ∝ 1/n_c, so the 1-image class weighs
    // 50 times the 50-image one (β = 0.9999 is within 0.5 % of that at these sizes).
    assertEquals(50, w[9] / w[0], 0.25);
    // A class without images weighs nothing; the others share the normalisation.
    assertArrayEquals(
        new double[] {0, 1, 1}, ClassBalance.effectiveNumberWeights(new int[] {0, 4, 4}, 0.5));
    assertThrows(
        IllegalArgumentException.class, () -> ClassBalance.effectiveNumberWeights(counts, 1));
  }

  @Test
  void drwSwitchesOnAtEightyPercentOfTheEpochs() {
    assertEquals(160, TrainConfig.LongTail.drwEpoch(200));
    assertEquals(51, TrainConfig.LongTail.drwEpoch(64));
    assertEquals(4, TrainConfig.LongTail.drwEpoch(5));
    // Two runs from the same seed, one re-weighting: identical losses before epoch 4 of 5, not
    // from there on.
    List<Double> plain = run(false);
    List<Double> reweighted = run(true);
    assertEquals(plain.subList(0, 4), reweighted.subList(0, 4));
    assertNotEquals(plain.get(4), reweighted.get(4));
  }

  private static List<Double> run(boolean reweight) {
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(0);
      ResNet model = new ResNet(new int[] {8, 16}, 1, 2);
      model.initializeParameters(m);
      TrainConfig config =
          new TrainConfig(5, 8, TrainConfig.Optimizer.SGD, 0.05, 0, 0, 0, false, 3)
              .withLongTail(new TrainConfig.LongTail(reweight));
      LabeledImages train = imbalanced(12, 3);
      return Trainer.train(model, train, Map.of(), train, config).epochLosses();
    }
  }

  @Test
  void weightedCrossEntropyIsTheWeightedMeanForOneHotTargets() {
    try (NDManager m = NDManager.newBaseManager()) {
      float[] z = {2, 0, -1, 0.5f, 0.5f, 1};
      NDArray logits = m.create(z, new ai.djl.ndarray.types.Shape(2, 3));
      NDArray targets =
          m.create(new float[] {1, 0, 0, 0, 0, 1}, new ai.djl.ndarray.types.Shape(2, 3));
      NDArray w = m.create(new float[] {0.5f, 1, 3}, new ai.djl.ndarray.types.Shape(1, 3));
      double ce0 = -Math.log(Math.exp(2) / (Math.exp(2) + 1 + Math.exp(-1)));
      double ce1 = -Math.log(Math.exp(1) / (2 * Math.exp(0.5) + Math.exp(1)));
      double expected = (0.5 * ce0 + 3 * ce1) / (0.5 + 3);
      assertEquals(expected, Trainer.weightedCrossEntropy(logits, targets, w).getFloat(), 1e-5);
    }
  }

  @Test
  void longTailScheduleWarmsUpThenDropsAtEightyAndNinetyPercent() {
    // 200 epochs of one step: warm-up 5 steps, ×0.01 from 160, ×1e-4 from 180.
    double[] expected = {0.2, 0.4, 0.6, 0.8, 1.0};
    for (int s = 0; s < 5; s++) {
      assertEquals(expected[s], TrainConfig.LongTail.learningRate(1, 200, 1, s), 1e-12);
    }
    assertEquals(1, TrainConfig.LongTail.learningRate(1, 200, 1, 159), 0);
    assertEquals(0.01, TrainConfig.LongTail.learningRate(1, 200, 1, 160), 1e-15);
    assertEquals(0.01, TrainConfig.LongTail.learningRate(1, 200, 1, 179), 1e-15);
    assertEquals(1e-4, TrainConfig.LongTail.learningRate(1, 200, 1, 180), 1e-18);
    // Scaled: 10 epochs of 4 steps drop at step 32 (epoch 8) and 36 (epoch 9); warm-up 1 step.
    assertEquals(0.05, TrainConfig.LongTail.learningRate(0.05, 10, 4, 0), 1e-12);
    assertEquals(0.05, TrainConfig.LongTail.learningRate(0.05, 10, 4, 31), 1e-12);
    assertEquals(5e-4, TrainConfig.LongTail.learningRate(0.05, 10, 4, 32), 1e-12);
    assertEquals(5e-6, TrainConfig.LongTail.learningRate(0.05, 10, 4, 36), 1e-15);
  }

  @Test
  void aConfigWithoutTheLongTailRecipeKeepsItsJson() {
    TrainConfig c = FineTune.fewShotRecipe(Backbone.RESNET);
    String json = new com.google.gson.Gson().toJson(c);
    assertTrue(!json.contains("longTail"), json);
    assertTrue(
        new com.google.gson.Gson()
            .toJson(FineTune.longTailRecipe(Backbone.RESNET))
            .contains("\"longTail\":{\"reweight\":false}"));
  }
}
