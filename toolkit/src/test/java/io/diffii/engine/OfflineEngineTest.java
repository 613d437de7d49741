package io.diffii.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorch engine must start from the natives in the {@code pytorch-native-cpu} jar alone: a
 * child JVM with an empty DJL cache, offline mode, and every HTTP(S) request sent to a closed local
 * port still starts the engine and computes.
 */
class OfflineEngineTest {

  @TempDir Path cache;

  /** Entry point of the child JVM: starts the engine and prints a sum. */
  public static void main(String[] args) {
    try (NDManager m = NDManager.newBaseManager()) {
      System.out.println(
          "engine "
              + Engine.getInstance().getEngineName()
              + " sum "
              + m.arange(4f).sum().getFloat());
    }
  }

  @Test
  void engineStartsWithAnEmptyCacheAndNoNetwork() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-Dai.djl.offline=true",
            "-Dhttp.proxyHost=127.0.0.1",
            "-Dhttp.proxyPort=9",
            "-Dhttps.proxyHost=127.0.0.1",
            "-Dhttps.proxyPort=9",
            "-cp",
            System.getProperty("java.class.path"),
            OfflineEngineTest.class.getName());
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("DJL_CACHE_DIR", cache.resolve("djl").toString());
    pb.environment().put("ENGINE_CACHE_DIR", cache.resolve("engine").toString());
    pb.environment().put("DJL_OFFLINE", "true");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("engine PyTorch sum 6.0"), out);
    // The natives were unpacked from the Maven jar into the empty cache, not fetched.
    try (var files = Files.walk(cache)) {
      assertTrue(
          files.anyMatch(f -> f.getFileName().toString().startsWith("libtorch")),
          "no libtorch unpacked under " + cache + File.separator);
    }
  }
}
