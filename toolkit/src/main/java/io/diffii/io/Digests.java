package io.diffii.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * SHA-256 digests that name what a run was made from: a settings text, or a folder's files (a
 * model, learned concepts), so that a result can say exactly which inputs it belongs to.
 */
public final class Digests {

  private Digests() {}

  /** Returns the SHA-256 of {@code text} (UTF-8) in lowercase hex. */
  public static String of(String text) {
    MessageDigest md = sha256();
    md.update(text.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(md.digest());
  }

  /**
   * Returns the SHA-256 over every regular file under {@code dir} except documentation ({@code
   * *.md}), in the order of their relative paths, each path followed by its bytes; a missing folder
   * has the digest of nothing. A model card is left out because editing it changes nothing the
   * folder computes, and a run keyed by this digest should not be redone for it. Files are
   * streamed, so weights over 2 GiB (a real Stable Diffusion UNet) hash like any other.
   */
  public static String ofFolder(Path dir) {
    MessageDigest md = sha256();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        List<Path> files =
            walk.filter(Files::isRegularFile)
                .filter(f -> !f.getFileName().toString().endsWith(".md"))
                .sorted()
                .toList();
        for (Path f : files) {
          md.update(
              dir.relativize(f).toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
          update(md, f);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot hash " + dir, e);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Returns the SHA-256 of the bytes of {@code file}, streamed, in lowercase hex. */
  public static String ofFile(Path file) {
    MessageDigest md = sha256();
    try {
      update(md, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot hash " + file, e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void update(MessageDigest md, Path file) throws IOException {
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        md.update(buffer, 0, n);
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
