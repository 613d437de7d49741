package io.diffii.io;

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
    return status("VmRSS:");
  }

  /** Returns the peak resident set size of the process so far (its high-water mark), in KiB. */
  public static long peakKib() {
    return status("VmHWM:");
  }

  private static long status(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("\\D+", ""));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException("no " + field + " in /proc/self/status");
  }
}
