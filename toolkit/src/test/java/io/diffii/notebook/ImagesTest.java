package io.diffii.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImagesTest {

  @Test
  void chwValuesAreClampedAndRounded() {
    float[] chw = {-0.5f, 0.5f, 2f, Float.NaN};
    BufferedImage image = Images.fromChw(chw, 1, 2, 2);
    assertEquals(0x000000, image.getRGB(0, 0) & 0xFFFFFF);
    assertEquals(0x808080, image.getRGB(1, 0) & 0xFFFFFF);
    assertEquals(0xFFFFFF, image.getRGB(0, 1) & 0xFFFFFF);
    assertEquals(0x000000, image.getRGB(1, 1) & 0xFFFFFF);
  }

  @Test
  void wrongSizesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> Images.fromChw(new float[5], 1, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> Images.fromChw(new float[8], 2, 2, 2));
  }
}
