package io.diffii.notebook;

import ai.djl.ndarray.NDArray;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A grid of images, rows × columns, with optional row and column labels, drawn into one {@link
 * BufferedImage} or PNG. Immutable: the {@code with…} methods return new grids.
 *
 * <pre>{@code
 * ImageGrid.of(10, images).withScale(4).withColumnLabels(contexts).writePng(Path.of("grid.png"));
 * }</pre>
 *
 * <p>Layout: every cell is as large as the largest image times the scale factor (nearest-neighbour
 * scaling, so small images stay crisp), and at least as wide as the widest column label; smaller
 * images are centred; a row shorter than the longest leaves its last cells blank. Cells are
 * separated and surrounded by {@code gap} white pixels, so without labels the grid is {@code
 * columns·cellWidth + (columns+1)·gap} wide and {@code rows·cellHeight + (rows+1)·gap} high. Row
 * labels add a column on the left as wide as the widest label plus a 4-pixel margin either side;
 * column labels add a band on top one text line plus a 4-pixel margin high.
 */
public final class ImageGrid {

  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final int LABEL_MARGIN = 4;

  private final List<List<BufferedImage>> rows;
  private final List<String> rowLabels;
  private final List<String> columnLabels;
  private final int scale;
  private final int gap;

  private ImageGrid(
      List<List<BufferedImage>> rows,
      List<String> rowLabels,
      List<String> columnLabels,
      int scale,
      int gap) {
    this.rows = rows;
    this.rowLabels = rowLabels;
    this.columnLabels = columnLabels;
    this.scale = scale;
    this.gap = gap;
  }

  /** Returns a grid with the given rows of images (scale 1, gap 2, no labels). */
  public static ImageGrid of(List<List<BufferedImage>> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("an image grid needs at least one row");
    }
    List<List<BufferedImage>> copy = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      List<BufferedImage> row = rows.get(r);
      if (row.isEmpty() || row.stream().anyMatch(Objects::isNull)) {
        throw new IllegalArgumentException(
            "row " + r + " of the image grid is empty or holds null");
      }
      copy.add(List.copyOf(row));
    }
    return new ImageGrid(List.copyOf(copy), List.of(), List.of(), 1, 2);
  }

  /** Returns a grid filled row by row with {@code columns} images per row. */
  public static ImageGrid of(int columns, List<BufferedImage> images) {
    if (columns <= 0) {
      throw new IllegalArgumentException("columns must be positive, got " + columns);
    }
    List<List<BufferedImage>> rows = new ArrayList<>();
    for (int i = 0; i < images.size(); i += columns) {
      rows.add(images.subList(i, Math.min(i + columns, images.size())));
    }
    return of(rows);
  }

  /**
   * Returns a grid of channel-first float images in [0, 1] (each C × H × W, C = 1 or 3), filled row
   * by row with {@code columns} per row.
   */
  public static ImageGrid ofChw(
      int columns, List<float[]> images, int channels, int height, int width) {
    List<BufferedImage> converted = new ArrayList<>();
    for (float[] chw : images) {
      converted.add(Images.fromChw(chw, channels, height, width));
    }
    return of(columns, converted);
  }

  /**
   * Returns a grid of the images of an N × C × H × W array in [0, 1] (C = 1 or 3), filled row by
   * row with {@code columns} per row.
   */
  public static ImageGrid ofBatch(int columns, NDArray batch) {
    if (batch.getShape().dimension() != 4) {
      throw new IllegalArgumentException(
          "need an N × C × H × W array, got shape " + batch.getShape());
    }
    List<BufferedImage> converted = new ArrayList<>();
    for (long i = 0; i < batch.getShape().get(0); i++) {
      try (NDArray image = batch.get(i)) {
        converted.add(Images.fromNDArray(image));
      }
    }
    return of(columns, converted);
  }

  /** Returns this grid with one label per row, drawn on the left. */
  public ImageGrid withRowLabels(List<String> labels) {
    if (labels.size() != rows()) {
      throw new IllegalArgumentException(labels.size() + " row labels for " + rows() + " rows");
    }
    return new ImageGrid(rows, List.copyOf(labels), columnLabels, scale, gap);
  }

  /** Returns this grid with one label per column, drawn on top. */
  public ImageGrid withColumnLabels(List<String> labels) {
    if (labels.size() != columns()) {
      throw new IllegalArgumentException(
          labels.size() + " column labels for " + columns() + " columns");
    }
    return new ImageGrid(rows, rowLabels, List.copyOf(labels), scale, gap);
  }

  /** Returns this grid with every image enlarged by an integer factor ≥ 1. */
  public ImageGrid withScale(int scale) {
    if (scale < 1) {
      throw new IllegalArgumentException("scale must be at least 1, got " + scale);
    }
    return new ImageGrid(rows, rowLabels, columnLabels, scale, gap);
  }

  /** Returns this grid with {@code gap} ≥ 0 white pixels between and around the cells. */
  public ImageGrid withGap(int gap) {
    if (gap < 0) {
      throw new IllegalArgumentException("gap must be >= 0, got " + gap);
    }
    return new ImageGrid(rows, rowLabels, columnLabels, scale, gap);
  }

  /** Returns the number of rows. */
  public int rows() {
    return rows.size();
  }

  /** Returns the number of columns, the length of the longest row. */
  public int columns() {
    return rows.stream().mapToInt(List::size).max().orElseThrow();
  }

  /** Returns the grid drawn as an RGB image. */
  public BufferedImage render() {
    FontMetrics metrics = metrics();
    int widestImage =
        rows.stream().flatMap(List::stream).mapToInt(BufferedImage::getWidth).max().orElseThrow();
    int widestColumnLabel = columnLabels.stream().mapToInt(metrics::stringWidth).max().orElse(0);
    int cellWidth = Math.max(scale * widestImage, widestColumnLabel);
    int cellHeight =
        scale
            * rows.stream()
                .flatMap(List::stream)
                .mapToInt(BufferedImage::getHeight)
                .max()
                .orElseThrow();
    int left =
        rowLabels.isEmpty()
            ? 0
            : LABEL_MARGIN
                + rowLabels.stream().mapToInt(metrics::stringWidth).max().orElse(0)
                + LABEL_MARGIN;
    int top = columnLabels.isEmpty() ? 0 : LABEL_MARGIN + metrics.getHeight();
    int width = left + columns() * cellWidth + (columns() + 1) * gap;
    int height = top + rows() * cellHeight + (rows() + 1) * gap;

    BufferedImage grid = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grid.createGraphics();
    try {
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, width, height);
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setFont(FONT);
      g.setColor(Color.BLACK);
      for (int r = 0; r < rows(); r++) {
        int y = top + gap + r * (cellHeight + gap);
        if (!rowLabels.isEmpty()) {
          g.drawString(rowLabels.get(r), LABEL_MARGIN, y + (cellHeight + metrics.getAscent()) / 2);
        }
        List<BufferedImage> row = rows.get(r);
        for (int c = 0; c < row.size(); c++) {
          BufferedImage image = row.get(c);
          int x = left + gap + c * (cellWidth + gap);
          int w = image.getWidth() * scale;
          int h = image.getHeight() * scale;
          g.drawImage(image, x + (cellWidth - w) / 2, y + (cellHeight - h) / 2, w, h, null);
        }
      }
      for (int c = 0; c < columnLabels.size(); c++) {
        String label = columnLabels.get(c);
        int x = left + gap + c * (cellWidth + gap) + (cellWidth - metrics.stringWidth(label)) / 2;
        g.drawString(label, x, LABEL_MARGIN + metrics.getAscent());
      }
    } finally {
      g.dispose();
    }
    return grid;
  }

  /** Returns the grid encoded as PNG. */
  public byte[] toPng() {
    return Images.png(render());
  }

  /** Writes the grid as PNG to {@code file}, creating parent folders, and returns the file. */
  public Path writePng(Path file) throws IOException {
    return Images.writePng(render(), file);
  }

  private static FontMetrics metrics() {
    BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scratch.createGraphics();
    try {
      return g.getFontMetrics(FONT);
    } finally {
      g.dispose();
    }
  }
}
