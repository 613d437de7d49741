package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.diffii.TestFixtures;
import io.diffii.data.RgbImage;
import io.diffii.embedded.Embedded;
import org.junit.jupiter.api.Test;

class ResizeCropTest {

  /**
   * An image whose red channel is a ramp along the longer side, (i + ½)/L at pixel i of L, green a
   * constant and blue zero: resampling keeps the ramp linear where the filter is whole, so each
   * output value is known in closed form.
   */
  private static RgbImage ramp(int height, int width) {
    float[] d = new float[3 * height * width];
    boolean across = width >= height;
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        d[y * width + x] = across ? (x + 0.5f) / width : (y + 0.5f) / height;
        d[(height + y) * width + x] = 0.25f;
      }
    }
    return new RgbImage(height, width, d);
  }

  @Test
  void nonSquareImagesOfSeveralSizesComeOutAtTheResolutionWithTheCentreKept() {
    int side = 16;
    ResizeCrop t = ResizeCrop.square(side);
    // {height, width}: landscape and portrait shrunk by whole factors (the filter's taps then sit
    // symmetrically about each output sample), enlarged by any factor (the cubic interpolates
    // linear functions exactly), and an odd margin cropped without resampling.
    for (int[] hw : new int[][] {{32, 64}, {96, 48}, {8, 12}, {10, 13}, {33, 16}}) {
      RgbImage out = t.apply(ramp(hw[0], hw[1]));
      assertEquals(side, out.height(), "height of " + hw[0] + "x" + hw[1]);
      assertEquals(side, out.width(), "width of " + hw[0] + "x" + hw[1]);
      int shortSide = Math.min(hw[0], hw[1]);
      int longSide = Math.max(hw[0], hw[1]);
      // The longer side is resized to ⌊16·long/short⌋ and its centred 16 samples kept: output
      // sample j along it is resized sample j + offset, whose ramp value is (j + offset + ½)/L'.
      int resized = (int) ((double) side * longSide / shortSide);
      int offset = (resized - side) / 2;
      boolean across = hw[1] >= hw[0];
      for (int j = 0; j < side; j++) {
        // The resampling filter sees the image's edge (where it is renormalised) only at a few
        // samples next to it; the crop's own edges lie inside the image unless nothing is cut.
        boolean nearEdge = j + offset < 3 || resized - 1 - (j + offset) < 3;
        if (nearEdge) {
          continue;
        }
        float expected = (j + offset + 0.5f) / resized;
        for (int k = 0; k < side; k++) {
          float got = across ? out.get(0, k, j) : out.get(0, j, k);
          assertEquals(expected, got, 1e-4f, hw[0] + "x" + hw[1] + " at " + j + "," + k);
          assertEquals(0.25f, out.get(1, k, j), 1e-5f);
          assertEquals(0f, out.get(2, k, j), 1e-6f);
        }
      }
    }
  }

  @Test
  void anImageAlreadyAtTheSizeOfACropOnlyTransformIsReturnedUnchangedAndPaddingIsCroppedAway() {
    RgbImage square = ramp(16, 16);
    assertSame(square, ResizeCrop.square(16).apply(square));
    // A 16-row image padded by 3 columns on the left and 4 on the right: the crop is the original,
    // bit for bit (no resampling, the shorter side is already 16).
    float[] padded = new float[3 * 16 * 23];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          padded[(c * 16 + y) * 23 + x + 3] = square.get(c, y, x);
        }
      }
    }
    RgbImage out = ResizeCrop.square(16).apply(new RgbImage(16, 23, padded));
    assertArrayEquals(square.data(), out.data());
    assertThrows(IllegalArgumentException.class, () -> new ResizeCrop(224, 256));
    assertEquals("3x224x224", new ResizeCrop(256, 224).outputShape());
  }

  @Test
  void theModelResolutionIsTheUNetSampleSizeTimesTheAutoencoderFactor() {
    // diffusers' default height: unet.sample_size · 2^(len(vae.block_out_channels) − 1).
    assertEquals(512, UNetConfig.sd15().sampleSize() * VaeConfig.sd15().spatialFactor());
    try (StableDiffusion fixture = StableDiffusion.load(TestFixtures.path("diffusers-tiny"));
        StableDiffusion embedded = StableDiffusion.load(Embedded.model())) {
      assertEquals(16, fixture.resolution(), "sample_size 8, VAE (32, 64)");
      assertEquals(ResizeCrop.square(16), fixture.transform());
      assertEquals(32, embedded.resolution(), "sample_size 8, VAE (32, 64, 64)");
    }
  }
}
