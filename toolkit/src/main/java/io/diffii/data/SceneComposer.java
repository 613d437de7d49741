package io.diffii.data;

import java.awt.Color;
import java.util.SplittableRandom;

/**
 * Composes Fashion scenes: a 28×28 Fashion-MNIST item, tinted with a random colour, scaled by a
 * factor in [{@value #MIN_SCALE}, {@value #MAX_SCALE}] and shifted by up to {@value #MAX_SHIFT}
 * pixels, is alpha-blended onto a 32×32 procedural background of a {@link Context}. The alpha of
 * each pixel is {@code min(1, }{@value #ALPHA_GAIN}{@code ·intensity)}, so faint fabric still
 * covers the background; the item's colour is the tint shaded by its intensity, so its texture
 * stays visible. Everything random comes from one {@link SplittableRandom} seeded with the given
 * seed, so the same seed gives identical pixels. Values are rounded to multiples of 1/255, as an
 * 8-bit file would hold them.
 */
public final class SceneComposer {

  /** Side of a scene in pixels. */
  public static final int SIZE = 32;

  /** Smallest item scale. */
  public static final double MIN_SCALE = 0.85;

  /** Largest item scale. */
  public static final double MAX_SCALE = 1.05;

  /** Largest shift of the item's centre, in pixels, along each axis. */
  public static final double MAX_SHIFT = 2.0;

  /** Factor from item intensity to alpha. */
  public static final float ALPHA_GAIN = 2f;

  private SceneComposer() {}

  /** Returns the scene of Fashion-MNIST item {@code index} of {@code images} on {@code context}. */
  public static Scene scene(FashionMnist.Images images, int index, Context context, long seed) {
    int label = images.label(index);
    CoarseGroup coarse = CoarseGroup.ofFashion(label);
    RgbImage image = compose(images.image(index), context, seed);
    return new Scene(image, label, coarse, context, Scene.caption(coarse, context), index);
  }

  /** Returns a 32×32 scene of a 28×28 grey item (784 unsigned bytes) on {@code context}. */
  public static RgbImage compose(byte[] item, Context context, long seed) {
    int side = FashionMnist.SIDE;
    if (item.length != side * side) {
      throw new IllegalArgumentException(
          "a Fashion-MNIST item has " + side * side + " pixels, got " + item.length);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    float[] rgb = Backgrounds.paint(context, SIZE, rng);
    double scale = MIN_SCALE + (MAX_SCALE - MIN_SCALE) * rng.nextDouble();
    double centreX = SIZE / 2.0 + MAX_SHIFT * (2 * rng.nextDouble() - 1);
    double centreY = SIZE / 2.0 + MAX_SHIFT * (2 * rng.nextDouble() - 1);
    float[] tint = randomTint(rng);
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        double u = (x + 0.5 - centreX) / scale + side / 2.0 - 0.5;
        double v = (y + 0.5 - centreY) / scale + side / 2.0 - 0.5;
        float intensity = sample(item, side, u, v);
        float alpha = Math.min(1f, ALPHA_GAIN * intensity);
        float shade = 0.35f + 0.65f * intensity;
        for (int c = 0; c < 3; c++) {
          int p = (c * SIZE + y) * SIZE + x;
          rgb[p] = alpha * tint[c] * shade + (1 - alpha) * rgb[p];
        }
      }
    }
    return new RgbImage(SIZE, SIZE, rgb).quantized();
  }

  /** Returns a colour of random hue, saturation 0.35–0.85 and brightness 0.75–1. */
  private static float[] randomTint(SplittableRandom rng) {
    float hue = (float) rng.nextDouble();
    float saturation = 0.35f + 0.5f * (float) rng.nextDouble();
    float brightness = 0.75f + 0.25f * (float) rng.nextDouble();
    return new Color(Color.HSBtoRGB(hue, saturation, brightness)).getRGBColorComponents(null);
  }

  /** Returns the item's intensity in [0, 1] at (u, v), bilinear, zero outside. */
  private static float sample(byte[] item, int side, double u, double v) {
    int u0 = (int) Math.floor(u);
    int v0 = (int) Math.floor(v);
    float tu = (float) (u - u0);
    float tv = (float) (v - v0);
    float top = (1 - tu) * pixel(item, side, u0, v0) + tu * pixel(item, side, u0 + 1, v0);
    float bottom =
        (1 - tu) * pixel(item, side, u0, v0 + 1) + tu * pixel(item, side, u0 + 1, v0 + 1);
    return (1 - tv) * top + tv * bottom;
  }

  private static float pixel(byte[] item, int side, int u, int v) {
    if (u < 0 || v < 0 || u >= side || v >= side) {
      return 0f;
    }
    return (item[v * side + u] & 0xff) / 255f;
  }
}
