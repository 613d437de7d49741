package io.diffii.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.TestFixtures;
import io.diffii.augment.DiffIISettings;
import io.diffii.classify.Backbone;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full-scale preset's inputs and defaults, without running a model: the end-to-end run is
 * {@code cli.FullScaleEndToEndTest}.
 */
class FullScaleTest {

  @TempDir Path dir;

  private static final Path MODEL = TestFixtures.path("diffusers-tiny");

  private Path file(String name) throws Exception {
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, "in the water\n# a comment\non a tree branch\n");
    return f;
  }

  private Path cubRoot() throws Exception {
    return file("cub/images.txt").getParent();
  }

  private FullScale cub() throws Exception {
    return FullScale.of(MODEL)
        .dataset("cub:" + cubRoot())
        .backbone("resnet50:" + file("resnet50.safetensors"))
        .captions(file("captions.txt"));
  }

  @Test
  void aRealModelGetsTheReleasedSettingsNeverTheEmbeddedRecipe() throws Exception {
    Benchmark b = cub().benchmark();
    assertEquals(DiffIISettings.released().hash(), b.diffII().hash());
    assertNotEquals(DiffIISettings.embedded().hash(), b.diffII().hash());
    DiffIISettings mine = DiffIISettings.released().withExpansion(2);
    assertEquals(mine.hash(), cub().settings(mine).benchmark().diffII().hash());
  }

  @Test
  void eachDataSetHasItsMetaclassAndTheBackboneFixesTheImageSize() throws Exception {
    Benchmark b = cub().benchmark();
    assertEquals("bird", b.metaclass().apply(0));
    assertEquals("bird", b.metaclass().apply(199));
    assertEquals(224, b.imageSize());
    assertEquals("CUB-200-2011, full scale", b.name());
    assertEquals(List.of("in the water", "on a tree branch"), b.suffixes().apply(null).suffixes());
    assertNull(b.realFilter(), "no CLIP folder, no Real-Filter");
    assertEquals("pet", FullScale.Dataset.of("pets").metaclass());
    assertEquals("aircraft", FullScale.Dataset.of("AIRCRAFT").metaclass());
    Benchmark vit =
        FullScale.of(MODEL)
            .dataset(
                "aircraft:" + file("air/data/images_variant_train.txt").getParent().getParent())
            .backbone("vitb16:" + file("vit.safetensors"))
            .captions(file("captions.txt"))
            .benchmark();
    assertEquals(384, vit.imageSize());
    assertEquals("aircraft", vit.metaclass().apply(0));
  }

  @Test
  void missingOrMalformedInputsAreClearErrors() throws Exception {
    assertMessage(() -> FullScale.of(MODEL).dataset("cars:/x"), "unknown data set cars");
    assertMessage(() -> FullScale.of(MODEL).dataset("/data/cub"), "KIND:PATH");
    assertMessage(() -> FullScale.of(MODEL).backbone("resnet50"), "KIND:PATH");
    assertMessage(() -> FullScale.of(MODEL).backbone("resnet18:f"), "unknown backbone resnet18");
    assertMessage(
        () -> cub().dataset("pets:" + dir.resolve("nopets")).benchmark(),
        "Oxford-IIIT Pets folder");
    assertMessage(
        () -> FullScale.of(dir.resolve("nomodel")).dataset("cub:" + cubRoot()).benchmark(),
        "no model_index.json");
    assertMessage(() -> FullScale.of(MODEL).benchmark(), "needs a data set");
    assertMessage(
        () -> FullScale.of(MODEL).dataset("cub:" + cubRoot()).benchmark(), "needs a backbone");
    assertMessage(
        () -> cub().backbone("resnet50:" + dir.resolve("none.safetensors")).benchmark(),
        "no weights file");
    assertMessage(
        () ->
            FullScale.of(MODEL)
                .dataset("cub:" + cubRoot())
                .backbone("resnet50:" + file("w.safetensors"))
                .benchmark(),
        "CLIP folder");
    assertMessage(() -> cub().clip(dir.resolve("noclip")).benchmark(), "noclip has no config.json");
    assertMessage(() -> cub().captions(dir.resolve("none.txt")).benchmark(), "no caption file");
    assertMessage(
        () -> cub().backbone("vitb16:" + file("vit.safetensors")).benchmark(),
        "different image sizes");
    assertMessage(() -> cub().benchmark().backbones().apply(Backbone.VIT), "vitb16:FILE");
  }

  private static void assertMessage(
      org.junit.jupiter.api.function.Executable run, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, run);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
