package io.diffii.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.data.RgbImage;

/**
 * The one way images of any size are brought to a consumer's input: the shorter side resized to
 * {@code resize} (the longer side becomes ⌊resize·long/short⌋, aspect kept), then the centred
 * {@code crop}×{@code crop} square (top-left corner at ⌊(side − crop)/2⌋), values kept in [0, 1].
 * Each consumer states its instance, and nothing else resizes:
 *
 * <ul>
 *   <li>the diffusion model (concept learning, inversion, image-to-image sources): {@code
 *       StableDiffusion.transform()}, {@link #square} of its resolution (512 for Stable Diffusion
 *       1.x, as the released Diff-II code resizes to 512; 32 for the embedded model);
 *   <li>a classifier, for real and synthetic images alike: {@code Classifier.transform()}
 *       (ResNet-50 256 → 224, ViT-B/16 384 → 384, the embedded backbones 32);
 *   <li>CLIP: {@link ClipImageProcessor}, this followed by CLIP's normalisation.
 * </ul>
 *
 * <p>Resampling is PIL's bicubic filter (Keys' cubic, a = −0.5) with PIL's antialiasing (the filter
 * widened by the scale factor when shrinking), applied separably as two matrix products in float32
 * and clamped to [0, 1]. An image already {@code crop}×{@code crop} with {@code resize == crop} is
 * returned unchanged, so the embedded benchmark's 32×32 scenes pass through every consumer
 * untouched.
 *
 * @param resize side the shorter image side is resized to
 * @param crop side of the square centre crop, at most {@code resize}
 */
public record ResizeCrop(int resize, int crop) {

  /** Validates the sizes. */
  public ResizeCrop {
    if (crop <= 0 || crop > resize) {
      throw new IllegalArgumentException("need 0 < crop <= resize, got " + crop + ", " + resize);
    }
  }

  /** Returns the transform to {@code side}×{@code side} that resizes the shorter side to it. */
  public static ResizeCrop square(int side) {
    return new ResizeCrop(side, side);
  }

  /**
   * Returns images {@code [B, 3, H, W]} in [0, 1] as {@code [B, 3, crop, crop]} in [0, 1], in the
   * images' manager.
   */
  public NDArray apply(NDArray images) {
    Shape s = images.getShape();
    if (s.dimension() != 4 || s.get(1) != 3) {
      throw new IllegalArgumentException("images must be [B, 3, H, W] in [0, 1], got " + s);
    }
    int h = (int) s.get(2);
    int w = (int) s.get(3);
    int shortSide = Math.min(h, w);
    int longSide = Math.max(h, w);
    int newLong = (int) ((double) resize * longSide / shortSide);
    int newH = h <= w ? resize : newLong;
    int newW = h <= w ? newLong : resize;
    NDArray x = images;
    if (newH != h || newW != w) {
      NDManager m = images.getManager();
      NDArray rows = m.create(bicubicWeights(h, newH), new Shape(newH, h));
      NDArray cols = m.create(bicubicWeights(w, newW), new Shape(newW, w));
      x = rows.matMul(images).matMul(cols.transpose()).clip(0f, 1f);
    }
    int top = (newH - crop) / 2;
    int left = (newW - crop) / 2;
    return x.get(":, :, {}:{}, {}:{}", top, top + crop, left, left + crop);
  }

  /** Returns {@code image} resized and cropped to {@code crop}×{@code crop}. */
  public RgbImage apply(RgbImage image) {
    if (resize == crop && image.height() == crop && image.width() == crop) {
      return image;
    }
    // One image in, one float array out: on the CPU, a GPU would only add a round trip per image.
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray x = m.create(image.data(), new Shape(1, 3, image.height(), image.width()));
      return new RgbImage(crop, crop, apply(x).toFloatArray());
    }
  }

  /** Returns the shape {@code 3xSxS} of what this transform makes, as size errors name it. */
  public String outputShape() {
    return "3x" + crop + "x" + crop;
  }

  /**
   * Returns the {@code [out, in]} matrix of PIL's bicubic resampling from {@code in} to {@code out}
   * samples (PIL's {@code precompute_coeffs}): output sample i is centred at (i + ½)·in/out, the
   * filter's support is widened by in/out when shrinking, and each row sums to one.
   */
  static float[] bicubicWeights(int in, int out) {
    double scale = (double) in / out;
    double filterScale = Math.max(scale, 1.0);
    double support = 2.0 * filterScale;
    float[] m = new float[Math.toIntExact((long) out * in)];
    for (int i = 0; i < out; i++) {
      double center = (i + 0.5) * scale;
      int from = Math.max((int) (center - support + 0.5), 0);
      int to = Math.min((int) (center + support + 0.5), in);
      double[] k = new double[to - from];
      double sum = 0;
      for (int j = from; j < to; j++) {
        k[j - from] = cubic((j - center + 0.5) / filterScale);
        sum += k[j - from];
      }
      for (int j = from; j < to; j++) {
        m[i * in + j] = (float) (k[j - from] / sum);
      }
    }
    return m;
  }

  /** Keys' cubic convolution kernel with a = −0.5 (PIL's bicubic). */
  private static double cubic(double x) {
    double a = -0.5;
    x = Math.abs(x);
    if (x < 1) {
      return ((a + 2) * x - (a + 3)) * x * x + 1;
    }
    if (x < 2) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0;
  }
}
