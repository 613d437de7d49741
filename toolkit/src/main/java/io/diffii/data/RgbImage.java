package io.diffii.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * An RGB image as {@code float} values in [0, 1], channel-major ({@code CHW}, shape {@code [3, H,
 * W]}), the layout a DJL image tensor has. Images read from or written to 8-bit files hold
 * multiples of 1/255, so a PNG round trip gives identical values.
 *
 * @param height rows H
 * @param width columns W
 * @param data {@code 3·H·W} values, index {@code (c·H + y)·W + x}
 */
public record RgbImage(int height, int width, float[] data) {

  /** Number of colour channels. */
  public static final int CHANNELS = 3;

  /** Checks that the sizes are positive and {@code data} holds exactly {@code 3·H·W} values. */
  public RgbImage {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image size must be positive, got " + height + "x" + width);
    }
    // In long: 3·H·W of a huge image would wrap around in int and could match a short array.
    if (data.length != (long) CHANNELS * height * width) {
      throw new IllegalArgumentException(
          "image "
              + height
              + "x"
              + width
              + " needs "
              + (long) CHANNELS * height * width
              + " values, got "
              + data.length);
    }
  }

  /** Returns the value of channel {@code c} at row {@code y}, column {@code x}. */
  public float get(int c, int y, int x) {
    return data[(c * height + y) * width + x];
  }

  /** Returns the image as an 8-bit {@link BufferedImage#TYPE_INT_RGB}, values rounded. */
  public BufferedImage toBufferedImage() {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        out.setRGB(
            x,
            y,
            (toByte(get(0, y, x)) << 16) | (toByte(get(1, y, x)) << 8) | toByte(get(2, y, x)));
      }
    }
    return out;
  }

  /** Returns the RGB content of {@code image} (alpha dropped, grey expanded to three channels). */
  public static RgbImage of(BufferedImage image) {
    int h = image.getHeight();
    int w = image.getWidth();
    long values = (long) CHANNELS * h * w;
    if (values > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "image " + h + "x" + w + " needs " + values + " values, more than a Java array holds");
    }
    float[] data = new float[(int) values];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int rgb = image.getRGB(x, y);
        data[y * w + x] = ((rgb >> 16) & 0xff) / 255f;
        data[(h + y) * w + x] = ((rgb >> 8) & 0xff) / 255f;
        data[(2 * h + y) * w + x] = (rgb & 0xff) / 255f;
      }
    }
    return new RgbImage(h, w, data);
  }

  /** Reads a PNG, JPEG or BMP file; an unreadable file is an error naming it. */
  public static RgbImage read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("image file " + file + " does not exist");
    }
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          new IOException("cannot decode image " + file + ": " + e.getMessage(), e));
    }
    if (image == null) {
      throw new IllegalArgumentException(
          "image file " + file + " is not in a readable format (expected PNG, JPEG or BMP)");
    }
    return of(image);
  }

  /** Writes the image as a PNG file, creating parent folders. */
  public void writePng(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      if (!ImageIO.write(toBufferedImage(), "png", file.toFile())) {
        throw new IOException("no PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write PNG " + file, e);
    }
  }

  /** Returns this image resized to {@code newHeight × newWidth} (bilinear), or itself if equal. */
  public RgbImage resize(int newHeight, int newWidth) {
    if (newHeight == height && newWidth == width) {
      return this;
    }
    BufferedImage out = new BufferedImage(newWidth, newHeight, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(toBufferedImage(), 0, 0, newWidth, newHeight, null);
    g.dispose();
    return of(out);
  }

  /** Returns a copy with every value rounded to the nearest multiple of 1/255, as an 8-bit file. */
  public RgbImage quantized() {
    float[] q = new float[data.length];
    for (int i = 0; i < q.length; i++) {
      q[i] = toByte(data[i]) / 255f;
    }
    return new RgbImage(height, width, q);
  }

  private static int toByte(float v) {
    return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
  }
}
