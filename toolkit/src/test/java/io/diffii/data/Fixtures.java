package io.diffii.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes tiny fixture trees for the reader tests. */
final class Fixtures {

  private Fixtures() {}

  /** Writes a 4×3 image of one colour in {@code format} ("png", "jpg" or "bmp") and returns it. */
  static Path image(Path file, int rgb, String format) {
    BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 4; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    try {
      Files.createDirectories(file.getParent());
      ImageIO.write(image, format, file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** Writes the lines to {@code file}, creating its folder, and returns it. */
  static Path text(Path file, String... lines) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
