package io.diffii.notebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageGridTest {

  private static BufferedImage solid(int width, int height, int rgb) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    return image;
  }

  private static List<BufferedImage> solids(int count, int size) {
    List<BufferedImage> images = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      images.add(solid(size, size, 0x010101 * (i * 20)));
    }
    return images;
  }

  @Test
  void gridSizeFollowsCellsScaleAndGaps() {
    BufferedImage grid = ImageGrid.of(5, solids(50, 32)).withScale(3).withGap(4).render();
    assertEquals(5 * 96 + 6 * 4, grid.getWidth());
    assertEquals(10 * 96 + 11 * 4, grid.getHeight());
  }

  @Test
  void shortLastRowLeavesBlankCells() {
    ImageGrid grid = ImageGrid.of(4, solids(6, 8));
    assertEquals(2, grid.rows());
    assertEquals(4, grid.columns());
    BufferedImage image = grid.withGap(0).render();
    assertEquals(32, image.getWidth());
    assertEquals(0xFFFFFF, image.getRGB(31, 15) & 0xFFFFFF);
  }

  @Test
  void imagesLandInTheirCellsAndSmallerOnesAreCentred() {
    List<List<BufferedImage>> rows =
        List.of(
            List.of(solid(4, 4, 0xFF0000), solid(2, 2, 0x00FF00)), List.of(solid(4, 4, 0x0000FF)));
    BufferedImage image = ImageGrid.of(rows).withGap(1).withScale(2).render();
    assertEquals(2 * 8 + 3, image.getWidth());
    assertEquals(0xFF0000, image.getRGB(1, 1) & 0xFFFFFF);
    assertEquals(0x00FF00, image.getRGB(1 + 8 + 1 + 4, 1 + 4) & 0xFFFFFF);
    assertEquals(0xFFFFFF, image.getRGB(1 + 8 + 1, 1) & 0xFFFFFF);
    assertEquals(0x0000FF, image.getRGB(1, 1 + 8 + 1) & 0xFFFFFF);
  }

  @Test
  void labelsWidenAndHeightenTheGridAndShiftTheCells() {
    ImageGrid plain = ImageGrid.of(2, solids(4, 32)).withGap(2);
    BufferedImage labelled =
        plain.withRowLabels(List.of("land", "water")).withColumnLabels(List.of("a", "b")).render();
    BufferedImage bare = plain.render();
    assertTrue(labelled.getWidth() > bare.getWidth());
    assertTrue(labelled.getHeight() > bare.getHeight());
    int dx = labelled.getWidth() - bare.getWidth();
    int dy = labelled.getHeight() - bare.getHeight();
    assertEquals(bare.getRGB(2 + 40, 2 + 40), labelled.getRGB(dx + 2 + 40, dy + 2 + 40));
    assertThrows(IllegalArgumentException.class, () -> plain.withRowLabels(List.of("one")));
    assertThrows(
        IllegalArgumentException.class, () -> plain.withColumnLabels(List.of("a", "b", "c")));
  }

  @Test
  void pngRoundTripKeepsEveryPixel(@TempDir Path dir) throws IOException {
    ImageGrid grid =
        ImageGrid.of(3, solids(7, 5)).withScale(2).withRowLabels(List.of("x", "y", "z"));
    BufferedImage rendered = grid.render();
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(grid.toPng()));
    assertPixelsEqual(rendered, decoded);
    Path file = grid.writePng(dir.resolve("nested/grid.png"));
    assertTrue(Files.size(file) > 0);
    assertPixelsEqual(rendered, ImageIO.read(file.toFile()));
  }

  @Test
  void chwFloatArraysAndBatchesGiveTheSameGrid() {
    float[] red = new float[3 * 2 * 2];
    Arrays.fill(red, 0, 4, 1f);
    float[] grey = new float[3 * 2 * 2];
    Arrays.fill(grey, 0.5f);
    BufferedImage fromFloats = ImageGrid.ofChw(2, List.of(red, grey), 3, 2, 2).render();
    assertEquals(0xFF0000, fromFloats.getRGB(2, 2) & 0xFFFFFF);
    assertEquals(0x808080, fromFloats.getRGB(2 + 2 + 2, 2) & 0xFFFFFF);
    try (NDManager manager = NDManager.newBaseManager()) {
      float[] both = new float[24];
      System.arraycopy(red, 0, both, 0, 12);
      System.arraycopy(grey, 0, both, 12, 12);
      NDArray batch = manager.create(both, new Shape(2, 3, 2, 2));
      assertPixelsEqual(fromFloats, ImageGrid.ofBatch(2, batch).render());
    }
  }

  @Test
  void emptyInputIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(Collections.emptyList()));
    assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(3, List.of()));
    assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(1, solids(1, 2)).withScale(0));
  }

  private static void assertPixelsEqual(BufferedImage expected, BufferedImage actual) {
    assertEquals(expected.getWidth(), actual.getWidth());
    assertEquals(expected.getHeight(), actual.getHeight());
    assertArrayEquals(
        expected.getRGB(
            0, 0, expected.getWidth(), expected.getHeight(), null, 0, expected.getWidth()),
        actual.getRGB(0, 0, actual.getWidth(), actual.getHeight(), null, 0, actual.getWidth()));
  }
}
