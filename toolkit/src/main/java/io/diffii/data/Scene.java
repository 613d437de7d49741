package io.diffii.data;

import java.awt.image.BufferedImage;

/**
 * One Fashion scene: a Fashion-MNIST item composed on a context background, with its labels and
 * caption.
 *
 * @param image the 32×32 RGB scene, CHW in [0, 1]
 * @param fineLabel Fashion-MNIST class 0–9
 * @param coarse the coarse group named in the caption
 * @param context the background context
 * @param caption "a photo of a {coarse word} {context phrase}"
 * @param sourceIndex index of the item in its Fashion-MNIST part (train or test)
 */
public record Scene(
    RgbImage image,
    int fineLabel,
    CoarseGroup coarse,
    Context context,
    String caption,
    int sourceIndex) {

  /** Returns the pixels, CHW {@code [3, 32, 32]} in [0, 1]. */
  public float[] pixels() {
    return image.data();
  }

  /** Returns the scene as an 8-bit RGB image. */
  public BufferedImage toBufferedImage() {
    return image.toBufferedImage();
  }

  /** Returns the caption "a photo of a {coarse word} {context phrase}". */
  public static String caption(CoarseGroup coarse, Context context) {
    return "a photo of a " + coarse.word() + " " + context.phrase();
  }
}
