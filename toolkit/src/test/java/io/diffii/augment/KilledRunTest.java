package io.diffii.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.data.ImageDataset;
import io.diffii.embedded.Embedded;
import io.diffii.model.StableDiffusion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Diff-II run killed with SIGKILL in a child JVM, mid-generation, and run again: the folder ends
 * exactly as an uninterrupted run leaves it (every file, byte for byte; no duplicate, no leftover
 * temporary file). The child and this JVM both compute with one intra-op thread. Slow (a minute: a
 * second JVM loads the engine and the model, then three runs).
 */
@Tag("slow")
class KilledRunTest {

  @TempDir Path dir;

  /** The run the child makes: {@link Tiny#quick} on two classes of two images. */
  static SyntheticSet run(Path runDir) {
    ImageDataset train = Tiny.scenes(2, 2);
    try (StableDiffusion sd = Tiny.model()) {
      return Embedded.diffII(sd, train).settings(Tiny.quick(5)).run(train, runDir);
    }
  }

  /** The child's entry point: runs into the folder given. */
  public static void main(String[] args) {
    run(Path.of(args[0]));
  }

  @Test
  void aRunKilledMidGenerationAndRunAgainEndsAsAnUninterruptedOne() throws Exception {
    Path killed = dir.resolve("killed");
    Path manifest = killed.resolve("synthetic").resolve(DiffII.MANIFEST);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    for (String p :
        List.of(
            "diffii.root",
            "ai.djl.offline",
            "ai.djl.pytorch.num_threads",
            "ai.djl.pytorch.num_interop_threads")) {
      if (System.getProperty(p) != null) {
        command.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            KilledRunTest.class.getName(),
            killed.toString()));
    Process child =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("child.log").toFile())
            .start();
    try {
      // Killed as soon as the second image has its line: mid-batch, with concepts and pool done.
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
      while (lines(manifest) < 2) {
        assertTrue(
            child.isAlive(),
            "the child ended early: " + Files.readString(dir.resolve("child.log")));
        assertTrue(System.nanoTime() < deadline, "the child wrote no image in 3 minutes");
        Thread.sleep(20);
      }
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
    assertEquals(137, child.exitValue(), "killed by SIGKILL");
    int before = lines(manifest);
    assertTrue(before < 8, "killed before it finished: " + before + " lines");
    SyntheticSet resumed = run(killed);
    SyntheticSet straight = run(dir.resolve("straight"));
    assertEquals(8, resumed.size());
    assertEquals(files(dir.resolve("straight")), files(killed));
    for (Path f : files(killed)) {
      assertArrayEquals(
          Files.readAllBytes(dir.resolve("straight").resolve(f)),
          Files.readAllBytes(killed.resolve(f)),
          f.toString());
    }
    assertEquals(straight.records(), resumed.records());
  }

  private static int lines(Path file) throws Exception {
    return Files.isRegularFile(file) ? Files.readAllLines(file).size() : 0;
  }

  /** Every regular file under {@code root}, relative, sorted. */
  private static List<Path> files(Path root) throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
    }
  }
}
