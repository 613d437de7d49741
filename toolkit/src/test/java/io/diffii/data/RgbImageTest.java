package io.diffii.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RgbImageTest {

  @Test
  void pngRoundTripKeepsEveryValue(@TempDir Path dir) {
    RgbImage scene = SceneComposer.compose(new byte[784], Context.WATER, 3);
    Path file = dir.resolve("a/b/scene.png");
    scene.writePng(file);
    RgbImage back = RgbImage.read(file);
    assertEquals(32, back.height());
    assertArrayEquals(scene.data(), back.data());
  }

  @Test
  void readsJpegAndBmpAsChwRgb(@TempDir Path dir) {
    RgbImage jpeg = RgbImage.read(Fixtures.image(dir.resolve("x.jpg"), 0x2080F0, "jpg"));
    RgbImage bmp = RgbImage.read(Fixtures.image(dir.resolve("x.bmp"), 0x2080F0, "bmp"));
    assertEquals(3, bmp.height());
    assertEquals(4, bmp.width());
    assertEquals(0x20 / 255f, bmp.get(0, 2, 3));
    assertEquals(0x80 / 255f, bmp.get(1, 0, 0));
    assertEquals(0xF0 / 255f, bmp.get(2, 1, 1));
    assertEquals(0xF0 / 255f, jpeg.get(2, 1, 1), 0.05);
  }

  @Test
  void resizeGivesTheAskedSizeAndKeepsAFlatColour() {
    float[] data = new float[3 * 8 * 8];
    java.util.Arrays.fill(data, 0, 64, 0.6f);
    RgbImage small = new RgbImage(8, 8, data).quantized().resize(3, 5);
    assertEquals(3, small.height());
    assertEquals(5, small.width());
    assertEquals(Math.round(0.6f * 255) / 255f, small.get(0, 1, 2), 1e-6);
    assertEquals(0f, small.get(2, 1, 2));
  }

  @Test
  void undecodableFileIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("broken.png"), "not an image");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RgbImage.read(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    IllegalArgumentException missing =
        assertThrows(IllegalArgumentException.class, () -> RgbImage.read(dir.resolve("none.png")));
    assertTrue(missing.getMessage().contains("none.png"), missing.getMessage());
  }

  @Test
  void wrongDataLengthIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 2, new float[11]));
  }

  @Test
  void aSizeWhoseValueCountWrapsAroundInIntIsRejected() {
    // 3 x 65536 x 21846 = 2^32 + 131072: in int arithmetic it would pass for 131072 values.
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> new RgbImage(65536, 21846, new float[131072]));
    assertTrue(e.getMessage().contains("4295098368"), e.getMessage());
  }
}
