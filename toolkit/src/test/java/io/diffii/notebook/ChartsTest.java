package io.diffii.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class ChartsTest {

  private static XYChart splitRatioChart() {
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("CLIP score", new double[] {0.30, 0.29, 0.28, 0.27});
    series.put("LPIPS", new double[] {0.40, 0.45, 0.50, 0.55});
    return Charts.line("split ratio", "s", "score", new double[] {0, 0.3, 0.6, 1}, series);
  }

  @Test
  void chartRendersToANonEmptyPngHeadless() throws IOException {
    assertTrue(GraphicsEnvironment.isHeadless(), "tests run with java.awt.headless=true");
    byte[] png = Charts.png(splitRatioChart());
    assertTrue(png.length > 1000, "PNG of " + png.length + " bytes");
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
    assertEquals(640, decoded.getWidth());
    assertEquals(400, decoded.getHeight());
    int first = decoded.getRGB(0, 0);
    boolean varied = false;
    for (int y = 0; y < decoded.getHeight() && !varied; y += 4) {
      for (int x = 0; x < decoded.getWidth() && !varied; x += 4) {
        varied = decoded.getRGB(x, y) != first;
      }
    }
    assertTrue(varied, "the chart image is a single colour");
  }

  @Test
  void chartImageAndFileMatchItsSize(@TempDir Path dir) throws IOException {
    XYChart chart = splitRatioChart();
    BufferedImage image = Charts.image(chart);
    assertEquals(640, image.getWidth());
    Path file = Charts.writePng(chart, dir.resolve("figure7.png"));
    assertEquals(400, ImageIO.read(file.toFile()).getHeight());
  }

  @Test
  void seriesOfTheWrongLengthAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Charts.line("t", "x", "y", new double[] {1, 2}, Map.of("a", new double[] {1})));
  }

  @Test
  void aHeatMapDrawsACountMatrixAndRejectsMismatchedLabels() throws IOException {
    int[][] counts = {{9, 1}, {3, 7}};
    var chart =
        Charts.heatMap("confusion", "true", "judged", List.of("a", "b"), List.of("a", "b"), counts);
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(Charts.png(chart)));
    assertEquals(640, decoded.getWidth());
    assertEquals(520, decoded.getHeight());
    assertEquals(4, chart.getSeriesMap().get("count").getHeatData().size());
    assertThrows(
        IllegalArgumentException.class,
        () -> Charts.heatMap("x", "r", "c", List.of("a"), List.of("a", "b"), counts));
    assertThrows(
        IllegalArgumentException.class,
        () -> Charts.heatMap("x", "r", "c", List.of("a", "b"), List.of("a"), counts));
  }
}
