package io.diffii.bench;

import io.diffii.embedded.Embedded;
import java.nio.file.Path;

/** The model folders the benchmarks load. */
final class Models {

  private Models() {}

  /**
   * Returns the folder of {@code name}: "embedded", the shipped model, or "fixture", the tiny
   * diffusers pipeline the parity tests use (in the toolkit's test resources, so read from the
   * project folder).
   */
  static Path folder(String name) {
    return switch (name) {
      case "embedded" -> Embedded.model();
      case "fixture" ->
          Embedded.root().resolve("toolkit/src/test/resources/fixtures/diffusers-tiny");
      default ->
          throw new IllegalArgumentException("unknown model " + name + "; use embedded or fixture");
    };
  }
}
