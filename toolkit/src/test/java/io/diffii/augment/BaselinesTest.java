package io.diffii.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.diffii.concept.Concepts;
import io.diffii.data.ImageDataset;
import io.diffii.data.Sample;
import io.diffii.embedded.Embedded;
import io.diffii.io.Digests;
import io.diffii.model.Lora;
import io.diffii.model.StableDiffusion;
import io.diffii.nn.NoGrad;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaselinesTest {

  @TempDir Path dir;

  /** Diff-II's quick test settings, shared by every baseline. */
  private static BaselineSettings quick(long seed) {
    return BaselineSettings.of(Tiny.quick(seed));
  }

  private static Baselines runner(StableDiffusion sd) {
    return Baselines.on(sd).metaclass(Embedded::metaclass).settings(quick(5));
  }

  @Test
  void eachMethodWritesItsDefinitionIntoTheManifest() {
    ImageDataset train = Tiny.scenes(2, 2, 1);
    try (StableDiffusion sd = Tiny.model()) {
      for (Baseline method :
          List.of(
              Baseline.REAL_GEN,
              Baseline.REAL_GUIDANCE,
              Baseline.REAL_MIX,
              Baseline.DA_FUSION,
              Baseline.DIFF_AUG,
              Baseline.DIFF_MIX)) {
        SyntheticSet set = runner(sd).run(method, train, dir.resolve(method.name()));
        // Expansion 2 of 5 real images.
        assertEquals(10, set.size(), method.label());
        double[] strengths = method.strengths();
        for (int i = 0; i < set.size(); i++) {
          JsonObject r = set.records().get(i);
          String where = method.label() + " " + r;
          assertEquals(method.label(), r.get("method").getAsString());
          int source = r.get("source_label").getAsInt();
          int target = r.get("target_label").getAsInt();
          assertEquals(target, r.get("label").getAsInt(), where);
          assertEquals(train.classNames().get(target), r.get("class").getAsString());
          assertTrue(Files.isRegularFile(set.dir().resolve(r.get("file").getAsString())), where);
          if (method.mixing()) {
            assertNotEquals(source, target, where);
          } else {
            assertEquals(source, target, where);
          }
          var sources = r.getAsJsonArray("sources");
          if (method.hasSource()) {
            assertEquals(1, sources.size(), where);
            String id = sources.get(0).getAsString();
            int sourceLabel =
                train.samples().stream()
                    .filter(s -> s.id().equals(id))
                    .findFirst()
                    .orElseThrow()
                    .label();
            assertEquals(source, sourceLabel, "the source image is of the source class: " + where);
          } else {
            assertEquals(0, sources.size(), where);
          }
          double s = r.get("strength").getAsDouble();
          assertTrue(Arrays.stream(strengths).anyMatch(x -> x == s), where);
          float[] y = set.softLabel(i);
          assertEquals(3, y.length);
          double sum = 0;
          for (float p : y) {
            sum += p;
          }
          assertEquals(1, sum, 1e-5, where);
          assertArrayEquals(Baseline.softLabel(3, source, target, s, 0.8, 0.9), y, where);
          if (!method.mixing()) {
            assertEquals(1f, y[target], where);
          }
          String prompt = r.get("prompt").getAsString();
          if (method.prompt() == Baseline.Prompt.CLASS_NAME) {
            assertEquals(
                DiffII.classNamePrompt(train.classNames().get(target), Embedded.metaclass(target)),
                prompt);
          } else {
            assertEquals(
                "a photo of a "
                    + Concepts.placeholder(train.classNames().get(target))
                    + " "
                    + Embedded.metaclass(target),
                prompt);
          }
        }
        // Every real image is the source of exactly `expansion` edits.
        if (method.hasSource()) {
          for (Sample real : train.samples()) {
            long uses =
                set.records().stream()
                    .filter(r -> r.getAsJsonArray("sources").get(0).getAsString().equals(real.id()))
                    .count();
            assertEquals(2, uses, method.label() + " " + real.id());
          }
        }
      }
      assertTrue(Lora.adapted(sd.unet()).isEmpty(), "no adapter left in the UNet");
      assertEquals(sd.tokenizer().baseVocabSize(), sd.tokenizer().vocabSize());
    }
  }

  @Test
  void diffMixSoftLabelFollowsTheStrengthWithGammaAndSpreadsOneMinusCUniformly() {
    float[] y = Baseline.softLabel(10, 2, 7, 0.7, 0.8, 0.9);
    double toTarget = Math.pow(0.7, 0.8);
    assertEquals(0.9 * (1 - toTarget) + 0.01, y[2], 1e-6);
    assertEquals(0.9 * toTarget + 0.01, y[7], 1e-6);
    assertEquals(0.01, y[0], 1e-7);
    double sum = 0;
    for (float p : y) {
      sum += p;
    }
    assertEquals(1, sum, 1e-6);
    float[] same = Baseline.softLabel(4, 1, 1, 0.5, 0.8, 0.9);
    assertArrayEquals(new float[] {0, 1, 0, 0}, same);
  }

  @Test
  void daFusionLearnsTokensAloneAndLoadsNoLora() throws Exception {
    ImageDataset train = Tiny.scenes(2, 2);
    try (StableDiffusion sd = Tiny.model()) {
      runner(sd).run(Baseline.DA_FUSION, train, dir.resolve("da"));
      Path concepts = dir.resolve("da/concepts");
      assertTrue(Files.isRegularFile(concepts.resolve(Concepts.EMBEDS)));
      assertFalse(Files.exists(concepts.resolve(Concepts.LORA)), "no LoRA file");
      assertEquals(0, Concepts.read(concepts).spec().loraRank());
      try (NoGrad off = NoGrad.open();
          Concepts.Applied applied = Concepts.read(concepts).applyTo(sd)) {
        assertTrue(Lora.adapted(sd.unet()).isEmpty(), "Da-Fusion applies no adapter");
        assertEquals(2, sd.tokenizer().vocabSize() - sd.tokenizer().baseVocabSize());
        assertTrue(applied.adapters().isEmpty());
      }
    }
  }

  @Test
  void diffAugAndDiffMixUseTheConceptsDiffIiLearnedWithoutLearningAgain() throws Exception {
    ImageDataset train = Tiny.scenes(2, 2);
    Path shared = dir.resolve("concepts");
    try (StableDiffusion sd = Tiny.model()) {
      Embedded.diffII(sd, train)
          .settings(Tiny.quick(5))
          .concepts(shared)
          .run(train, dir.resolve("ii"));
      assertFalse(
          Files.exists(dir.resolve("ii/concepts")), "Diff-II learned into the shared folder");
      String learned = Digests.ofFolder(shared);
      for (Baseline method : List.of(Baseline.DIFF_AUG, Baseline.DIFF_MIX)) {
        Baselines b = runner(sd).concepts(shared);
        assertEquals(8, b.run(method, train, dir.resolve(method.name())).size());
        assertTrue(b.stageSeconds().get("concepts") < 1, "read, not learned: " + b.stageSeconds());
        assertFalse(Files.exists(dir.resolve(method.name()).resolve("concepts")));
      }
      assertEquals(learned, Digests.ofFolder(shared), "the shared concepts are unchanged");
    }
  }

  @Test
  void aStoppedRunResumesToWhatAnUninterruptedRunWrites() throws Exception {
    ImageDataset train = Tiny.scenes(2, 1);
    try (StableDiffusion sd = Tiny.model()) {
      runner(sd).run(Baseline.REAL_MIX, train, dir.resolve("a"));
      runner(sd).stopAfter(3).run(Baseline.REAL_MIX, train, dir.resolve("b"));
      assertEquals(3, Files.readAllLines(dir.resolve("b/synthetic/manifest.jsonl")).size());
      SyntheticSet b = runner(sd).run(Baseline.REAL_MIX, train, dir.resolve("b"));
      assertEquals(6, b.size());
      assertEquals(
          Files.readAllLines(dir.resolve("a/synthetic/manifest.jsonl")),
          Files.readAllLines(dir.resolve("b/synthetic/manifest.jsonl")));
      for (JsonObject r : b.records()) {
        String file = r.get("file").getAsString();
        assertArrayEquals(
            Files.readAllBytes(dir.resolve("a/synthetic").resolve(file)),
            Files.readAllBytes(dir.resolve("b/synthetic").resolve(file)),
            file);
      }
      IllegalArgumentException other =
          assertThrows(
              IllegalArgumentException.class,
              () -> runner(sd).run(Baseline.REAL_GUIDANCE, train, dir.resolve("b")));
      assertTrue(other.getMessage().contains("made with other settings"), other.getMessage());
    }
  }

  @Test
  void realFilterKeepsRealGensImagesAboveTheTenthPercentileOfClipConfidence() throws Exception {
    ImageDataset train = Tiny.scenes(2, 2);
    try (StableDiffusion sd = Tiny.model()) {
      IllegalArgumentException none =
          assertThrows(
              IllegalArgumentException.class,
              () -> runner(sd).run(Baseline.REAL_FILTER, train, dir.resolve("unfiltered")));
      assertTrue(none.getMessage().contains("needs a CLIP filter"), none.getMessage());
      assertFalse(Files.exists(dir.resolve("unfiltered")), "nothing made without a filter");

      SyntheticSet gen = runner(sd).run(Baseline.REAL_GEN, train, dir.resolve("gen"));
      ClipFilter filter = Embedded.realFilter();
      Path run = dir.resolve("filter");
      SyntheticSet kept = runner(sd).filter(filter).run(Baseline.REAL_FILTER, train, run);
      SyntheticSet all = SyntheticSet.read(run.resolve("generated"), train.classNames());
      // Expansion 2 of 4 real images: 8 made; h = 0.1·7 = 0.7, so exactly the lowest is dropped.
      assertEquals(8, all.size());
      assertEquals(7, kept.size());
      for (int i = 0; i < all.size(); i++) {
        String file = all.records().get(i).get("file").getAsString();
        assertArrayEquals(
            Files.readAllBytes(gen.dir().resolve(file)),
            Files.readAllBytes(all.dir().resolve(file)),
            "Real-Gen's plan and seeds: " + file);
      }
      double[] confidence = filter.confidences(all);
      double threshold = filter.threshold(confidence);
      int lowest = 0;
      for (int i = 1; i < confidence.length; i++) {
        lowest = confidence[i] < confidence[lowest] ? i : lowest;
      }
      String dropped = all.records().get(lowest).get("file").getAsString();
      for (JsonObject r : kept.records()) {
        assertTrue(!r.get("file").getAsString().equals(dropped), "the lowest is dropped");
        assertEquals(threshold, r.get("clip_threshold").getAsDouble(), 1e-12);
        assertTrue(r.get("clip_confidence").getAsDouble() >= threshold, r.toString());
      }
      List<String> before = Files.readAllLines(run.resolve("synthetic").resolve(DiffII.MANIFEST));
      runner(sd).filter(filter).run(Baseline.REAL_FILTER, train, run);
      assertEquals(
          before,
          Files.readAllLines(run.resolve("synthetic").resolve(DiffII.MANIFEST)),
          "a rerun adds nothing");
    }
  }
}
