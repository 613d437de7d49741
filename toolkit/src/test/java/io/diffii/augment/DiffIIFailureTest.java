package io.diffii.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.data.ImageDataset;
import io.diffii.embedded.Embedded;
import io.diffii.model.StableDiffusion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures of a Diff-II run's output: a disk that fills, a folder of other settings. */
class DiffIIFailureTest {

  @TempDir Path dir;

  @Test
  void aDiskThatFillsMidGenerationKeepsEveryFinishedImageAndARerunCompletes() throws Exception {
    ImageDataset train = Tiny.scenes(2, 2);
    Path full = dir.resolve("full");
    AtomicInteger written = new AtomicInteger();
    try (StableDiffusion sd = Tiny.model()) {
      DiffII failing =
          Embedded.diffII(sd, train)
              .settings(Tiny.quick(3))
              .imageWriter(
                  (image, file) -> {
                    if (written.incrementAndGet() > 3) {
                      // As a full disk does: part of the file is written, then the write fails.
                      Files.write(file, new byte[] {(byte) 0x89, 'P', 'N'});
                      throw new IOException("No space left on device");
                    }
                    image.writePng(file);
                  });
      UncheckedIOException e =
          assertThrows(UncheckedIOException.class, () -> failing.run(train, full));
      assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
      assertTrue(e.getMessage().contains("synthetic image " + full), e.getMessage());
    }
    Path synthetic = full.resolve("synthetic");
    assertEquals(3, Files.readAllLines(synthetic.resolve(DiffII.MANIFEST)).size());
    assertEquals(3, pngs(synthetic).size(), "the finished images only, no partial file");
    try (StableDiffusion sd = Tiny.model()) {
      Embedded.diffII(sd, train).settings(Tiny.quick(3)).run(train, full);
      Embedded.diffII(sd, train).settings(Tiny.quick(3)).run(train, dir.resolve("straight"));
    }
    Path straight = dir.resolve("straight/synthetic");
    assertEquals(
        Files.readAllLines(straight.resolve(DiffII.MANIFEST)),
        Files.readAllLines(synthetic.resolve(DiffII.MANIFEST)));
    assertEquals(pngs(straight), pngs(synthetic));
    for (Path f : pngs(straight)) {
      assertArrayEquals(
          Files.readAllBytes(straight.resolve(f)),
          Files.readAllBytes(synthetic.resolve(f)),
          "" + f);
    }
  }

  @Test
  void aFolderOfOtherSettingsNamesEachDifferingValue() {
    ImageDataset train = Tiny.scenes(2, 2);
    Path run = dir.resolve("run");
    DiffIISettings quick = Tiny.quick(3);
    try (StableDiffusion sd = Tiny.model()) {
      Embedded.diffII(sd, train).settings(quick).stopAfter(1).run(train, run);
      DiffIISettings other =
          quick.withSeed(4).withConcept(quick.concept().withSteps(7)).withExpansion(3);
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> Embedded.diffII(sd, train).settings(other).run(train, run));
      for (String part :
          List.of(
              "made with other settings",
              "diff_ii.concept.steps 6, now 7",
              "diff_ii.expansion 2, now 3",
              "diff_ii.seed 3, now 4")) {
        assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
      }
    }
  }

  /** The PNG files under {@code root}, relative, sorted. */
  private static List<Path> pngs(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().equals(DiffII.MANIFEST))
          .map(root::relativize)
          .sorted()
          .toList();
    }
  }
}
