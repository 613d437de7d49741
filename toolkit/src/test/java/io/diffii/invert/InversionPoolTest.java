package io.diffii.invert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.augment.Tiny;
import io.diffii.data.ImageDataset;
import io.diffii.embedded.Embedded;
import io.diffii.model.StableDiffusion;
import io.diffii.pipeline.SdPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InversionPoolTest {

  @TempDir Path dir;

  @Test
  void inversionThenSamplingAtGuidanceOneReconstructsAndARebuildSkipsWhatExists() throws Exception {
    ImageDataset train = Tiny.scenes(2, 2);
    IntFunction<String> prompt = c -> "a photo of a " + Embedded.metaclass(c);
    try (StableDiffusion sd = Tiny.model()) {
      SdPipeline pipe = new SdPipeline(sd);
      InversionPool pool = InversionPool.build(pipe, train, prompt, dir, 50);
      assertEquals(2, pool.entries(0).size());
      Path first = pool.entries(0).get(0).file();
      assertTrue(Files.isRegularFile(first));
      double psnr = pool.reconstructionPsnr(pipe, train, prompt, List.of(0, 1));
      assertTrue(psnr > 30, "round trip PSNR " + psnr + " dB");
      Files.setLastModifiedTime(first, FileTime.fromMillis(0));
      InversionPool.build(pipe, train, prompt, dir, 50);
      assertEquals(
          0, Files.getLastModifiedTime(first).toMillis(), "an existing latent was rewritten");
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> InversionPool.build(pipe, train, prompt, dir, 20));
      assertTrue(e.getMessage().contains("inverted with 50 steps, not 20"), e.getMessage());
    }
  }

  @Test
  void anInterruptedBuildResumesToExactlyTheLatentsOfAnUninterruptedOne() throws Exception {
    ImageDataset train = Tiny.scenes(2, 3);
    IntFunction<String> prompt = c -> "a photo of a " + Embedded.metaclass(c);
    try (StableDiffusion sd = Tiny.model()) {
      SdPipeline pipe = new SdPipeline(sd);
      InversionPool straight = InversionPool.build(pipe, train, prompt, dir.resolve("a"), 8);
      InversionPool.build(pipe, train, prompt, dir.resolve("b"), 8);
      // As a process killed mid-build leaves it: one class's later latents missing, and a file
      // cut short where the next latent was being written.
      Path b1 = dir.resolve("b/1");
      List<Path> written;
      try (var files = Files.list(b1)) {
        written = files.sorted().toList();
      }
      Files.delete(written.get(1));
      Files.delete(written.get(2));
      Files.write(
          written.get(2).resolveSibling(written.get(2).getFileName() + ".tmp"), new byte[] {1, 2});
      InversionPool resumed = InversionPool.build(pipe, train, prompt, dir.resolve("b"), 8);
      assertSameLatents(straight, resumed, 2);
    }
  }

  @Test
  void imagesOfMixedSizesInOneBatchAreBroughtToTheModelResolution() throws Exception {
    ImageDataset train = Tiny.scenes(2, 2);
    IntFunction<String> prompt = c -> "a photo of a " + Embedded.metaclass(c);
    try (StableDiffusion sd = Tiny.model()) {
      SdPipeline pipe = new SdPipeline(sd);
      InversionPool plain = InversionPool.build(pipe, train, prompt, dir.resolve("plain"), 4);
      // Framed to 32x40, 38x32, ...: the centre crop is the original, so are the latents.
      InversionPool framed =
          InversionPool.build(pipe, Tiny.framed(train), prompt, dir.resolve("framed"), 4);
      assertSameLatents(plain, framed, 2);
      // Enlarged 3:2 images need resampling; they still invert to the model's latent size.
      ImageDataset enlarged =
          new ImageDataset(
              train.classNames(),
              train.samples().stream()
                  .map(
                      s ->
                          new io.diffii.data.Sample(
                              s.id(), s.label(), s.attributes(), () -> s.image().resize(48, 72)))
                  .toList());
      InversionPool big = InversionPool.build(pipe, enlarged, prompt, dir.resolve("big"), 4);
      try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {
        var latent = big.latent(m, 1, 0);
        assertEquals(
            new ai.djl.ndarray.types.Shape(sd.vae().config().latentChannels(), 8, 8),
            latent.getShape());
      }
      double psnr = big.reconstructionPsnr(pipe, enlarged, prompt, List.of(0, 1));
      assertTrue(psnr > 20, "round trip PSNR " + psnr + " dB");
    }
  }

  /** Asserts that two pools hold the same latents, byte for byte, for classes 0 .. classes-1. */
  private static void assertSameLatents(InversionPool expected, InversionPool actual, int classes)
      throws java.io.IOException {
    for (int c = 0; c < classes; c++) {
      assertEquals(expected.entries(c).size(), actual.entries(c).size());
      for (int i = 0; i < expected.entries(c).size(); i++) {
        assertArrayEquals(
            Files.readAllBytes(expected.entries(c).get(i).file()),
            Files.readAllBytes(actual.entries(c).get(i).file()),
            actual.entries(c).get(i).file().toString());
      }
    }
  }
}
