package io.diffii;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the test fixtures shipped in {@code src/test/resources/fixtures/} (each folder has a
 * README saying how it was generated); a missing fixture fails the test.
 */
public final class TestFixtures {

  private TestFixtures() {}

  /** Returns the path of {@code relative} under the fixtures folder. */
  public static Path path(String relative) {
    URL url = TestFixtures.class.getResource("/fixtures/" + relative);
    assertTrue(url != null, "fixture missing from the test classpath: fixtures/" + relative);
    try {
      Path p = Path.of(url.toURI());
      assertTrue(Files.exists(p), "fixture missing: " + p);
      return p;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
