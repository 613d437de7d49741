package io.diffii.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory (Linux), for memory tests and benchmarks. */
public final class Resident {

  private Resident() {}

  /**
   * Returns the resident set size in KiB, after a collection so that the Java heap's garbage does
   * not count (native memory is what these checks watch).
   */
  public static long kib() {
    System.gc();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D+", ""));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
