package io.diffii.embedded;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffii.data.CoarseGroup;
import io.diffii.data.Context;
import io.diffii.data.FashionMnist;
import io.diffii.notebook.ImageGrid;
import io.diffii.pipeline.PromptSchedule;
import io.diffii.pipeline.SdPipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The measurements that say whether the embedded model is fit for Diff-II: samples show what their
 * prompt says (coarse group and context), DDIM inversion at guidance 1 is faithful, and the fine
 * classes are not known to the model.
 */
public final class EmbeddedEvaluation {

  private EmbeddedEvaluation() {}

  /** Result of the prompt-faithfulness check. */
  public record PromptScores(
      double coarseAccuracy,
      Map<String, Double> coarseAccuracyByGroup,
      double contextAccuracy,
      ImageGrid grid) {}

  /**
   * Samples {@code perPrompt} images for every (coarse group, context) prompt and scores them with
   * {@code coarseClassifier} (images [B,3,32,32] in [0,1] → coarse group ordinals) and the context
   * classifier; returns the scores and a grid of the first {@code gridColumns} samples of each
   * prompt.
   */
  public static PromptScores promptFaithfulness(
      SdPipeline pipe,
      Function<NDArray, int[]> coarseClassifier,
      ContextClassifier contexts,
      int perPrompt,
      int steps,
      double guidance,
      long seed,
      int gridColumns) {
    int correctCoarse = 0;
    int correctContext = 0;
    int total = 0;
    Map<String, int[]> byGroup = new LinkedHashMap<>();
    List<List<java.awt.image.BufferedImage>> rows = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      for (CoarseGroup coarse : CoarseGroup.values()) {
        for (Context context : Context.values()) {
          try (NDManager scope = manager.newSubManager()) {
            String prompt = Captions.full(coarse, context);
            NDArray images =
                pipe.generate(
                    scope, Collections.nCopies(perPrompt, prompt), steps, guidance, seed + total);
            int[] predicted = coarseClassifier.apply(images);
            float[] pixels = images.toFloatArray();
            int per = SceneCorpus.PIXELS;
            List<java.awt.image.BufferedImage> row = new ArrayList<>();
            int[] group = byGroup.computeIfAbsent(coarse.word(), k -> new int[2]);
            for (int i = 0; i < perPrompt; i++) {
              float[] one = java.util.Arrays.copyOfRange(pixels, i * per, (i + 1) * per);
              if (predicted[i] == coarse.ordinal()) {
                correctCoarse++;
                group[0]++;
              }
              group[1]++;
              if (contexts.predict(one) == context) {
                correctContext++;
              }
              if (i < gridColumns) {
                row.add(io.diffii.notebook.Images.fromChw(one, 3, 32, 32));
              }
            }
            rows.add(row);
            labels.add(coarse.word() + " " + context.phrase());
            total += perPrompt;
          }
        }
      }
    }
    Map<String, Double> groups = new LinkedHashMap<>();
    byGroup.forEach((k, v) -> groups.put(k, (double) v[0] / v[1]));
    ImageGrid grid = ImageGrid.of(rows).withRowLabels(labels).withScale(2);
    return new PromptScores(
        (double) correctCoarse / total, groups, (double) correctContext / total, grid);
  }

  /**
   * Inverts the first {@code n} scenes of {@code corpus} with their captions ({@code steps} DDIM
   * inversion steps at guidance 1), samples back with {@code sampleGuidance}, and returns the mean
   * PSNR (dB) of the result against the autoencoder's reconstruction.
   */
  public static double inversionPsnr(
      SdPipeline pipe, SceneCorpus corpus, int n, int steps, double sampleGuidance) {
    try (NDManager manager = NDManager.newBaseManager()) {
      int[] idx = IntStream.range(0, n).toArray();
      NDArray images = corpus.images(manager, idx).add(1).div(2);
      List<String> captions = new ArrayList<>();
      for (int i : idx) {
        captions.add(Captions.full(corpus.coarse(i), corpus.context(i)));
      }
      NDArray latents = pipe.encode(images);
      NDArray reconstruction = pipe.decode(latents);
      NDArray inverted = pipe.invert(latents, captions, steps, 1.0);
      NDArray cond = pipe.embed(manager, captions);
      NDArray back =
          pipe.decode(pipe.sample(inverted, PromptSchedule.constant(cond), steps, sampleGuidance));
      float[] mse =
          back.sub(reconstruction).square().reshape(n, -1).mean(new int[] {1}).toFloatArray();
      double sum = 0;
      for (float m : mse) {
        sum += 10 * Math.log10(1.0 / Math.max(m, 1e-12));
      }
      return sum / n;
    }
  }

  /** Returns the prompt "a photo of a {fine class name, lower case} {context phrase}". */
  public static String finePrompt(int fineLabel, Context context) {
    return "a photo of a "
        + FashionMnist.CLASS_NAMES.get(fineLabel).toLowerCase(java.util.Locale.ROOT)
        + " "
        + context.phrase();
  }

  /**
   * Runs every check on the model folder {@code model} with the coarse-label ResNet under {@code
   * backbones}: prompt faithfulness at guidance 3 and 5 (grids written beside {@code gridPrefix}),
   * inversion PSNR at guidance 1 and 5, and the fine-class accuracy of samples prompted with the
   * fine class names, judged by a ResNet fine-tuned on fine labels.
   */
  public static Map<String, Object> run(
      Path model, Path backbones, SceneCorpus train, SceneCorpus test, Path gridPrefix) {
    Map<String, Object> report = new LinkedHashMap<>();
    ContextClassifier contexts = ContextClassifier.fit(train, Math.min(5000, train.size()));
    try (NDManager manager = NDManager.newBaseManager();
        io.diffii.model.StableDiffusion sd = io.diffii.model.StableDiffusion.load(model)) {
      io.diffii.classify.Classifier coarse =
          io.diffii.classify.Classifier.load(backbones.resolve("resnet"), manager);
      SdPipeline pipe = new SdPipeline(sd);
      for (double g : new double[] {3, 5}) {
        PromptScores scores = promptFaithfulness(pipe, coarse::predict, contexts, 20, 25, g, 0, 8);
        report.put("samples_coarse_accuracy_g" + (int) g, scores.coarseAccuracy());
        report.put("samples_coarse_accuracy_by_group_g" + (int) g, scores.coarseAccuracyByGroup());
        report.put("samples_context_accuracy_g" + (int) g, scores.contextAccuracy());
        try {
          scores.grid().writePng(Path.of(gridPrefix + "-g" + (int) g + ".png"));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
      report.put("inversion_psnr_db_g1", inversionPsnr(pipe, test, 100, 50, 1.0));
      report.put("inversion_psnr_db_g5", inversionPsnr(pipe, test, 100, 50, 5.0));
      io.diffii.classify.Classifier fine = coarse.withNewHead(10, manager);
      var fineTrain = BackbonePretraining.labeled(train, false).firstN(10_000);
      var fineTest = BackbonePretraining.labeled(test, false);
      io.diffii.classify.Trainer.train(
          fine, fineTrain, Map.of(), fineTest, BackbonePretraining.resnetRecipe(2));
      report.put(
          "fine_judge_accuracy_real", io.diffii.classify.Trainer.evaluate(fine, fineTest, null));
      int right = 0;
      int total = 0;
      for (int label = 0; label < 10; label++) {
        try (NDManager scope = manager.newSubManager()) {
          String prompt = finePrompt(label, Context.values()[label % Context.values().length]);
          NDArray images =
              pipe.generate(scope, Collections.nCopies(20, prompt), 25, 3, 100 + label);
          for (int p : fine.predict(images)) {
            right += p == label ? 1 : 0;
            total++;
          }
        }
      }
      report.put("samples_fine_accuracy_fine_prompts_g3", (double) right / total);
    }
    return report;
  }
}
