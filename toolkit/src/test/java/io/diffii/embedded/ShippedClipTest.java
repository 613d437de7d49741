package io.diffii.embedded;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.model.ClipModel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Loads the shipped tiny CLIP and classifies 500 real test scenes zero-shot: its model card reports
 * 99.99 % over the contexts and 91.9 % over the coarse words on all 10,000, so a change that breaks
 * the folder (loading, tokenizer, towers, preprocessing) shows here.
 */
class ShippedClipTest {

  @Test
  void theShippedClipKnowsContextsAndCoarseWords() {
    try (ClipModel clip =
        ClipModel.load(Embedded.root().resolve("data/models/fashion-scenes-clip"))) {
      Map<String, Object> r = ClipPretraining.zeroShot(clip, SceneCorpus.test(0), 500);
      double context = ((Number) r.get("zero_shot_context_accuracy")).doubleValue();
      double coarse = ((Number) r.get("zero_shot_coarse_accuracy")).doubleValue();
      assertTrue(context >= 98, "context zero-shot " + context + " %");
      assertTrue(coarse >= 85, "coarse zero-shot " + coarse + " %");
    }
  }
}
