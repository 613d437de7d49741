package io.diffii.notebook;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Conversions between arrays and {@link BufferedImage}s, and PNG encoding, for display. */
public final class Images {

  private Images() {}

  /**
   * Returns an RGB image from a channel-first float array (C × H × W, row-major) of values from 0
   * to 1; C is 1 (grey) or 3 (RGB). Values outside [0, 1] are clamped, then rounded to 8 bits.
   */
  public static BufferedImage fromChw(float[] chw, int channels, int height, int width) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("need 1 or 3 channels, got " + channels);
    }
    if (height <= 0 || width <= 0 || chw.length != channels * height * width) {
      throw new IllegalArgumentException(
          "array of length "
              + chw.length
              + " does not hold "
              + channels
              + " × "
              + height
              + " × "
              + width
              + " values");
    }
    int plane = height * width;
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        int r = toByte(chw[i]);
        int g = channels == 3 ? toByte(chw[plane + i]) : r;
        int b = channels == 3 ? toByte(chw[2 * plane + i]) : r;
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    return image;
  }

  /**
   * Returns an RGB image from a C × H × W array with values in [0, 1] (C = 1 or 3), as {@link
   * #fromChw}.
   */
  public static BufferedImage fromNDArray(NDArray chw) {
    Shape shape = chw.getShape();
    if (shape.dimension() != 3) {
      throw new IllegalArgumentException("need a C × H × W array, got shape " + shape);
    }
    return fromChw(
        chw.toType(DataType.FLOAT32, false).toFloatArray(),
        (int) shape.get(0),
        (int) shape.get(1),
        (int) shape.get(2));
  }

  /** Returns the image encoded as PNG. */
  public static byte[] png(BufferedImage image) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, "png", out)) {
        throw new IllegalStateException("no PNG writer for image type " + image.getType());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Writes the image as PNG to {@code file}, creating parent folders, and returns the file. */
  public static Path writePng(BufferedImage image, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.write(file, png(image));
    return file;
  }

  private static int toByte(float value) {
    float clamped = Float.isNaN(value) ? 0 : Math.max(0, Math.min(1, value));
    return Math.round(clamped * 255);
  }
}
