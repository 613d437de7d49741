package io.diffii.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffii.model.ClipModel;
import io.diffii.train.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipPretrainingTest {

  @TempDir Path dir;

  private static ClipPretraining.Settings tiny(int steps) {
    return new ClipPretraining.Settings(steps, 8, 1e-3, 1, 0.1, 0.15, 0.15, 5, 100, 64, 0, 40);
  }

  @Test
  void anInterruptedRunResumesToTheSameWeights() {
    SceneCorpus corpus = SceneCorpus.train(0, 64);
    Map<String, float[]> straight = trainTo(corpus, dir.resolve("a.ckpt"), 4);
    trainTo(corpus, dir.resolve("b.ckpt"), 2);
    Map<String, float[]> resumed = trainTo(corpus, dir.resolve("b.ckpt"), 4);
    assertEquals(straight.keySet(), resumed.keySet());
    straight.forEach((k, v) -> assertArrayEquals(v, resumed.get(k), 1e-6f, k));
  }

  @Test
  void aWholeTinyRunWritesAClipFolderWithItsZeroShotFigures() throws Exception {
    Path out = dir.resolve("clip");
    Map<String, Object> report = ClipPretraining.run(tiny(3), dir.resolve("work"), out, 3);
    assertEquals(3L, report.get("steps_reached"));
    double context = (double) report.get("zero_shot_context_accuracy");
    double coarse = (double) report.get("zero_shot_coarse_accuracy");
    assertTrue(context >= 0 && context <= 100, "context accuracy " + context);
    assertTrue(coarse >= 0 && coarse <= 100, "coarse accuracy " + coarse);
    assertEquals(40, report.get("zero_shot_scenes"));
    String card = Files.readString(out.resolve("README.md"));
    assertTrue(card.contains("5 context prompts"), card);
    try (ClipModel clip = ClipModel.load(out)) {
      assertEquals(32, clip.config().vision().imageSize());
      assertEquals(
          ClipPretraining.tokenizer().encode("a photo of a bag in the snow").length,
          clip.tokenizer().encode("a photo of a bag in the snow").length);
    }
    // A rerun finds the finished checkpoint and trains nothing more.
    Map<String, Object> again = ClipPretraining.run(tiny(3), dir.resolve("work"), out, 3);
    assertEquals(3L, again.get("resumed_from"));
  }

  @Test
  void theLearnedTemperatureIsClampedAtOneHundred() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray scale = m.create(5f);
      ClipPretraining.clampLogitScale(scale);
      assertEquals(Math.log(100), scale.getFloat(), 1e-6);
      NDArray low = m.create(2f);
      ClipPretraining.clampLogitScale(low);
      assertEquals(2f, low.getFloat());
    }
  }

  @Test
  void promptsNameTheFiveContextsAndTheFiveCoarseWords() {
    assertEquals(
        java.util.List.of(
            "a photo on the grass",
            "a photo in the water",
            "a photo on the beach",
            "a photo in the snow",
            "a photo at night"),
        ClipPretraining.contextPrompts());
    assertEquals("a photo of a footwear", ClipPretraining.coarsePrompts().get(3));
    var tokenizer = ClipPretraining.tokenizer();
    for (String p : ClipPretraining.contextPrompts()) {
      for (long id : tokenizer.encodeUnpadded(p)) {
        assertTrue(id != tokenizer.id("<|unk|>"), p + " has an unknown word");
      }
    }
  }

  private static Map<String, float[]> trainTo(SceneCorpus corpus, Path ckpt, long until) {
    try (ClipModel model = ClipPretraining.create(5)) {
      TrainingLoop.Result r = ClipPretraining.train(model, corpus, tiny(4), ckpt, until);
      for (double loss : r.losses()) {
        assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
      }
      Map<String, float[]> out = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : model.arrays().entrySet()) {
        out.put(e.getKey(), e.getValue().toFloatArray());
      }
      return out;
    }
  }
}
