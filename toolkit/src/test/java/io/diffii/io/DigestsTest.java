package io.diffii.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DigestsTest {

  @Test
  void aFolderDigestIsItsPathsAndBytesInOrder(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("unet"));
    byte[] weights = new byte[200_000];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (byte) (i * 31);
    }
    Files.write(dir.resolve("unet/w.bin"), weights);
    Files.writeString(dir.resolve("a.json"), "{}");
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    md.update("a.json".getBytes(StandardCharsets.UTF_8));
    md.update("{}".getBytes(StandardCharsets.UTF_8));
    md.update("unet/w.bin".getBytes(StandardCharsets.UTF_8));
    md.update(weights);
    assertEquals(HexFormat.of().formatHex(md.digest()), Digests.ofFolder(dir));
  }

  @Test
  void aModelCardDoesNotChangeTheDigestButWeightsDo(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), "{\"a\": 1}");
    String before = Digests.ofFolder(dir);
    Files.writeString(dir.resolve("README.md"), "# model card");
    assertEquals(before, Digests.ofFolder(dir), "a model card is documentation");
    Files.writeString(dir.resolve("config.json"), "{\"a\": 2}");
    assertNotEquals(before, Digests.ofFolder(dir));
  }

  @Test
  void aMissingFolderHasTheDigestOfNothing(@TempDir Path dir) {
    assertEquals(Digests.of(""), Digests.ofFolder(dir.resolve("absent")));
  }
}
