package io.diffii.experiment;

import io.diffii.notebook.Charts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.Table;

/**
 * What a long-tail experiment measured: the shared {@link Result} (rows, per-class accuracy, stage
 * times, bar chart, synthetic grids with the rarest classes first) and Table 2's view of it.
 *
 * @param result the experiment's rows, summary, stages, per-class accuracy, chart and grids
 * @param table per (backbone, IF, method): trials, mean and std of the accuracy (%), the many /
 *     medium / few-shot group accuracy (%), the gain over CE in points, and "mean ± std"
 * @param classAccuracy per-class accuracy against the class's training images at the largest IF
 */
public record LongTailResult(Result result, Table table, XYChart classAccuracy) {

  /**
   * Writes {@code <name>.csv} (the long-tail table), {@code <name>.png} (the bar chart), {@code
   * <name>-classes.csv} (per-class accuracy), {@code <name>-classes.png} and the grids into {@code
   * dir}; returns the files.
   */
  public List<Path> write(Path dir, String name) {
    List<Path> files = new ArrayList<>(result.write(dir, name));
    try {
      table.write().csv(files.get(0).toFile());
      Path classes = dir.resolve(name + "-classes.csv");
      result.classes().write().csv(classes.toFile());
      files.add(classes);
      files.add(Charts.writePng(classAccuracy, dir.resolve(name + "-classes.png")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write results to " + dir, e);
    }
    return files;
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return table.printAll();
  }
}
