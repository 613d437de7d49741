package io.diffii.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.diffii.data.ImageDataset;
import io.diffii.embedded.Embedded;
import io.diffii.model.Lora;
import io.diffii.model.StableDiffusion;
import io.diffii.pipeline.SdPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiffIITest {

  @TempDir Path dir;

  /** A quick configuration: few concept steps, few DDIM steps, expansion 2, batches of 4. */
  private static SyntheticSet run(ImageDataset train, Path runDir, long stopAfter) {
    try (StableDiffusion sd = Tiny.model()) {
      return Embedded.diffII(sd, train)
          .settings(Tiny.quick(11))
          .stopAfter(stopAfter)
          .run(train, runDir);
    }
  }

  private static List<String> manifest(Path runDir) throws Exception {
    return Files.readAllLines(runDir.resolve("synthetic").resolve(DiffII.MANIFEST));
  }

  @Test
  void theSameSeedGivesTheSameManifestAndImagesAndAStoppedRunResumesToThem() throws Exception {
    ImageDataset train = Tiny.scenes(3, 2);
    SyntheticSet a = run(train, dir.resolve("a"), Long.MAX_VALUE);
    SyntheticSet b = run(train, dir.resolve("b"), Long.MAX_VALUE);
    assertEquals(10, a.size());
    assertEquals(manifest(dir.resolve("a")), manifest(dir.resolve("b")));
    // Stopped after 3 images, mid-batch; then, as a process killed between writing an image and
    // its line leaves it, the third image has no line and a line is cut short.
    run(train, dir.resolve("c"), 3);
    Path log = dir.resolve("c/synthetic").resolve(DiffII.MANIFEST);
    List<String> lines = manifest(dir.resolve("c"));
    assertEquals(3, lines.size());
    Files.write(log, lines.subList(0, 2));
    Files.writeString(log, "{\"class\":\"T-shirt/top\",\"lab", StandardOpenOption.APPEND);
    SyntheticSet c = run(train, dir.resolve("c"), Long.MAX_VALUE);
    // The resumed run writes exactly what the uninterrupted one wrote: the same manifest, byte for
    // byte, and the same images.
    assertEquals(manifest(dir.resolve("a")), manifest(dir.resolve("c")));
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < a.size(); i++) {
      JsonObject r = a.records().get(i);
      assertTrue(keys.add(r.get("label") + "/" + r.get("index")), "duplicate " + r);
      Path file = Path.of(r.get("file").getAsString());
      byte[] first = Files.readAllBytes(dir.resolve("a/synthetic").resolve(file));
      assertArrayEquals(
          first, Files.readAllBytes(dir.resolve("b/synthetic").resolve(file)), file.toString());
      assertArrayEquals(
          first, Files.readAllBytes(dir.resolve("c/synthetic").resolve(file)), file.toString());
      assertEquals("circle", r.get("start").getAsString());
      assertEquals(2, r.getAsJsonArray("sources").size());
      double lambda = r.get("lambda").getAsDouble();
      double theta = r.get("theta").getAsDouble();
      assertTrue(lambda >= 0 && lambda < 2 * Math.PI / theta, r.toString());
    }
    assertEquals(10, c.size());
  }

  @Test
  void twoRunsOnOneLoadedModelWorkAndLeaveItAsItWas() {
    ImageDataset train = Tiny.scenes(2, 2);
    try (StableDiffusion sd = Tiny.model();
        NDManager m = NDManager.newBaseManager()) {
      // Plain text to the base model; a concept while a run has its concepts applied.
      List<String> prompt = List.of("a photo of a <trouser> bottom");
      float[] before = new SdPipeline(sd).embed(m, prompt).toFloatArray();
      assertEquals(
          8,
          Embedded.diffII(sd, train)
              .settings(Tiny.quick(1))
              .run(train, dir.resolve("first"))
              .size());
      assertEquals(
          8,
          Embedded.diffII(sd, train)
              .settings(Tiny.quick(2))
              .run(train, dir.resolve("second"))
              .size());
      assertArrayEquals(before, new SdPipeline(sd).embed(m, prompt).toFloatArray());
      assertEquals(sd.tokenizer().baseVocabSize(), sd.tokenizer().vocabSize());
      assertTrue(Lora.adapted(sd.unet()).isEmpty(), "no adapter left in the UNet");
    }
  }

  @Test
  void aClassWithOneImageStartsFromGaussianNoise() throws Exception {
    ImageDataset train = Tiny.scenes(2, 1);
    SyntheticSet set = run(train, dir.resolve("one"), Long.MAX_VALUE);
    int single = 0;
    for (JsonObject r : set.records()) {
      if (r.get("label").getAsInt() == 1) {
        single++;
        assertEquals("gaussian", r.get("start").getAsString());
        assertEquals(
            train.samples().stream().filter(s -> s.label() == 1).findFirst().orElseThrow().id(),
            r.getAsJsonArray("sources").get(0).getAsString());
        assertTrue(!r.has("lambda"));
      } else {
        assertEquals("circle", r.get("start").getAsString());
      }
    }
    assertEquals(2, single);
  }

  @Test
  void aFolderOfOtherSettingsOrOfAnOlderRunIsRefusedBeforeAnyStageRuns() throws Exception {
    ImageDataset train = Tiny.scenes(2, 2);
    Files.createDirectories(dir.resolve("old/concepts"));
    Files.createDirectories(dir.resolve("other"));
    Files.writeString(dir.resolve("other").resolve(DiffII.SETTINGS), "{\"diff_ii\": {}}\n");
    try (StableDiffusion sd = Tiny.model()) {
      IllegalArgumentException old =
          assertThrows(IllegalArgumentException.class, () -> run(sd, train, dir.resolve("old")));
      assertTrue(old.getMessage().contains("concepts/ without settings.json"), old.getMessage());
      IllegalArgumentException other =
          assertThrows(IllegalArgumentException.class, () -> run(sd, train, dir.resolve("other")));
      assertTrue(other.getMessage().contains("made with other settings"), other.getMessage());
    }
    assertTrue(!Files.exists(dir.resolve("other/concepts")), "nothing was learned");
  }

  private static SyntheticSet run(StableDiffusion sd, ImageDataset train, Path runDir) {
    return Embedded.diffII(sd, train).settings(Tiny.quick(11)).run(train, runDir);
  }

  @Test
  void aClassWithNoImageIsAClearError() {
    ImageDataset train = Tiny.scenes(2, 0);
    try (StableDiffusion sd = Tiny.model()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> Embedded.diffII(sd, train).run(train, dir));
      assertTrue(e.getMessage().contains("'Trouser' has no image"), e.getMessage());
    }
  }
}
