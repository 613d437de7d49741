package io.diffii.kernel;

import io.diffii.notebook.ImageGrid;
import io.github.spencerpark.jupyter.kernel.display.RenderContext;
import io.github.spencerpark.jupyter.kernel.display.Renderer;
import io.github.spencerpark.jupyter.kernel.display.common.Image;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.awt.image.BufferedImage;
import java.io.StringWriter;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.html.HtmlWriteOptions;
import tech.tablesaw.io.html.HtmlWriter;

/**
 * Renderers for what notebooks show: images, the toolkit's image grids and XChart charts as
 * image/png, Tablesaw tables as text/html, each with a short text/plain fallback. The kernel knows
 * the toolkit's display types, never the other way round, so the toolkit stays usable without it.
 */
final class RichRenderers {

  /** Tables longer than this show their first rows only, with a note. */
  static final int MAX_HTML_ROWS = 200;

  private RichRenderers() {}

  /** Registers the renderers with {@code renderer}. */
  static void registerAll(Renderer renderer) {
    renderer
        .createRegistration(BufferedImage.class)
        .preferring(MIMEType.IMAGE_PNG)
        .register(RichRenderers::renderImage);
    renderer
        .createRegistration(ImageGrid.class)
        .preferring(MIMEType.IMAGE_PNG)
        .register(RichRenderers::renderGrid);
    renderer
        .createRegistration(Chart.class)
        .preferring(MIMEType.IMAGE_PNG)
        .register(RichRenderers::renderChart);
    renderer
        .createRegistration(Table.class)
        .preferring(MIMEType.TEXT_HTML)
        .register(RichRenderers::renderTable);
  }

  private static void renderImage(BufferedImage image, RenderContext context) {
    Image.renderImage(image, context);
    context
        .getOutputContainer()
        .putText("BufferedImage " + image.getWidth() + "x" + image.getHeight());
  }

  private static void renderGrid(ImageGrid grid, RenderContext context) {
    BufferedImage image = grid.render();
    Image.renderImage(image, context);
    context
        .getOutputContainer()
        .putText(
            "ImageGrid "
                + grid.rows()
                + "x"
                + grid.columns()
                + " ("
                + image.getWidth()
                + "x"
                + image.getHeight()
                + " pixels)");
  }

  @SuppressWarnings("rawtypes") // the renderer registry is keyed by the raw class Chart
  private static void renderChart(Chart chart, RenderContext context) {
    Image.renderImage(BitmapEncoder.getBufferedImage(chart), context);
    String title = chart.getTitle() == null ? "" : chart.getTitle();
    context
        .getOutputContainer()
        .putText(
            chart.getClass().getSimpleName()
                + (title.isEmpty() ? "" : " \"" + title + "\"")
                + " "
                + chart.getWidth()
                + "x"
                + chart.getHeight());
  }

  private static void renderTable(Table table, RenderContext context) {
    context.renderIfRequested(MIMEType.TEXT_HTML, () -> html(table));
    context.getOutputContainer().putText(table.print());
  }

  /** Returns {@code table} as an HTML table, cut to {@link #MAX_HTML_ROWS} rows with a note. */
  static String html(Table table) {
    Table shown = table.rowCount() > MAX_HTML_ROWS ? table.first(MAX_HTML_ROWS) : table;
    StringWriter out = new StringWriter();
    new HtmlWriter().write(shown, HtmlWriteOptions.builder(out).build());
    if (shown != table) {
      out.append("<p>first ")
          .append(String.valueOf(MAX_HTML_ROWS))
          .append(" of ")
          .append(String.valueOf(table.rowCount()))
          .append(" rows</p>");
    }
    return out.toString();
  }
}
