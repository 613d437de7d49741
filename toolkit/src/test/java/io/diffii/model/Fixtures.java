package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared fixtures beside the project root; a missing fixture fails the test. */
final class Fixtures {

  private Fixtures() {}

  static Path shared(String relative) {
    String root = System.getProperty("diffii.root", ".");
    Path p = Path.of(root).resolve("../shared/fixtures").resolve(relative).normalize();
    assertTrue(Files.exists(p), "fixture missing: " + p);
    return p;
  }
}
