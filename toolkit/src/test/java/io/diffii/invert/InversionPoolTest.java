package io.diffii.invert;

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
}
