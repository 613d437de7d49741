package io.diffii.notebook;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * XChart charts rendered off-screen, for notebooks and files. Works with {@code
 * java.awt.headless=true}; text needs a font installed (on Debian: {@code fontconfig} and {@code
 * fonts-dejavu-core}).
 */
public final class Charts {

  private Charts() {}

  /** Returns a line chart of one or more series over shared x values, 640 × 400 pixels. */
  public static XYChart line(
      String title, String xTitle, String yTitle, double[] x, Map<String, double[]> series) {
    if (series.isEmpty()) {
      throw new IllegalArgumentException("chart '" + title + "' needs at least one series");
    }
    XYChart chart =
        new XYChartBuilder()
            .width(640)
            .height(400)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    series.forEach(
        (name, y) -> {
          if (y.length != x.length) {
            throw new IllegalArgumentException(
                "series '" + name + "' has " + y.length + " values for " + x.length + " x values");
          }
          chart.addSeries(name, x, y);
        });
    return chart;
  }

  /**
   * Returns a line chart with two y axes, 640 × 400 pixels: the {@code left} series on the left
   * axis, the {@code right} ones on the right, each with error bars when {@code errors} has it.
   */
  public static XYChart twoAxes(
      String title,
      String xTitle,
      double[] x,
      String leftTitle,
      Map<String, double[]> left,
      String rightTitle,
      Map<String, double[]> right,
      Map<String, double[]> errors) {
    Map<String, double[]> all = new java.util.LinkedHashMap<>(left);
    all.putAll(right);
    XYChart chart = line(title, xTitle, leftTitle, x, all);
    right.keySet().forEach(name -> chart.getSeriesMap().get(name).setYAxisGroup(1));
    chart.setYAxisGroupTitle(0, leftTitle);
    chart.setYAxisGroupTitle(1, rightTitle);
    chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
    errors.forEach(
        (name, e) -> {
          if (all.containsKey(name)) {
            chart.updateXYSeries(name, x, all.get(name), e);
          }
        });
    return chart;
  }

  /**
   * Returns a grouped bar chart, 640 × 400 pixels: one group per category, one bar per series, with
   * error bars when {@code errors} has the series.
   */
  public static CategoryChart bars(
      String title,
      String yTitle,
      List<String> categories,
      Map<String, double[]> series,
      Map<String, double[]> errors) {
    if (series.isEmpty()) {
      throw new IllegalArgumentException("chart '" + title + "' needs at least one series");
    }
    CategoryChart chart =
        new CategoryChartBuilder().width(640).height(400).title(title).yAxisTitle(yTitle).build();
    series.forEach(
        (name, y) -> {
          if (y.length != categories.size()) {
            throw new IllegalArgumentException(
                "series '"
                    + name
                    + "' has "
                    + y.length
                    + " values for "
                    + categories.size()
                    + " categories");
          }
          double[] e = errors.get(name);
          if (e == null) {
            chart.addSeries(name, categories, toList(y));
          } else {
            chart.addSeries(name, categories, toList(y), toList(e));
          }
        });
    return chart;
  }

  /**
   * Returns a heat map of {@code counts[row][column]}, 640 × 520 pixels, rows listed top to bottom
   * (a confusion matrix: true classes as rows, predictions as columns).
   */
  public static HeatMapChart heatMap(
      String title,
      String rowTitle,
      String columnTitle,
      List<String> rows,
      List<String> columns,
      int[][] counts) {
    if (counts.length != rows.size()) {
      throw new IllegalArgumentException(
          "heat map '" + title + "' has " + counts.length + " rows for " + rows.size() + " labels");
    }
    List<Number[]> cells = new java.util.ArrayList<>();
    for (int r = 0; r < counts.length; r++) {
      if (counts[r].length != columns.size()) {
        throw new IllegalArgumentException(
            "heat map '" + title + "' row " + r + " has " + counts[r].length + " cells");
      }
      for (int c = 0; c < counts[r].length; c++) {
        cells.add(new Number[] {c, counts.length - 1 - r, counts[r][c]});
      }
    }
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(640)
            .height(520)
            .title(title)
            .xAxisTitle(columnTitle)
            .yAxisTitle(rowTitle)
            .build();
    chart.getStyler().setShowValue(true).setMin(0);
    List<String> topDown = new java.util.ArrayList<>(rows);
    java.util.Collections.reverse(topDown);
    chart.addSeries("count", columns, topDown, cells);
    return chart;
  }

  private static List<Double> toList(double[] values) {
    return java.util.Arrays.stream(values).boxed().toList();
  }

  /** Returns the chart drawn as an image of its configured size. */
  public static BufferedImage image(Chart<?, ?> chart) {
    return BitmapEncoder.getBufferedImage(chart);
  }

  /** Returns the chart encoded as PNG. */
  public static byte[] png(Chart<?, ?> chart) {
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes the chart as PNG to {@code file}, creating parent folders, and returns the file. */
  public static Path writePng(Chart<?, ?> chart, Path file) throws IOException {
    return Images.writePng(image(chart), file);
  }
}
