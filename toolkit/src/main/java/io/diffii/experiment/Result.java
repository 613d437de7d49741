package io.diffii.experiment;

import io.diffii.notebook.Charts;
import io.diffii.notebook.ImageGrid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import tech.tablesaw.aggregate.AggregateFunctions;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What an experiment measured, as objects a notebook shows directly (the kernel renders tables,
 * XChart charts and image grids): the plan's rows with their settings and provenance, the summary
 * (mean ± std over trials, gain over Original), the stage wall times, a bar chart of the summary
 * and, per setting, the first trial's synthetic images beside its real ones.
 *
 * @param rows one row per (setting, trial, backbone, method), as in {@code rows.csv}
 * @param summary per (backbone, setting, method): trials, mean, std, gain, "mean ± std"
 * @param stages wall time of each stage that ran for these rows
 * @param classes per-class test accuracy (%) of each row, with the class's training images, as in
 *     {@code classes.csv}
 * @param groups per-group test accuracy (%) of each row when the plan names test groups ({@link
 *     Plan#testGroup()}), as in {@code groups.csv}; empty otherwise
 * @param chart the summary's means with their std as error bars
 * @param grids per setting label, real images (left) beside synthetic ones (right), rarest classes
 *     first
 * @param synthetic per (setting, trial, method) that trains with synthetic images, their folder
 *     (ImageFolder tree + manifest), for measures of the sets themselves
 */
public record Result(
    Table rows,
    Table summary,
    Table stages,
    Table classes,
    Table groups,
    CategoryChart chart,
    Map<String, ImageGrid> grids,
    Table synthetic) {

  /** Summarises {@code rows} under {@code title} and charts the summary. */
  static Result of(
      String title,
      Table rows,
      Table stages,
      Table classes,
      Table groups,
      Map<String, ImageGrid> grids,
      Table synthetic) {
    Table summary = summary(rows).setName("Accuracy (%), " + title);
    return new Result(
        rows,
        summary,
        stages,
        classes,
        groups,
        chart(summary),
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(grids)),
        synthetic);
  }

  /**
   * Returns mean and sample standard deviation of the accuracy over trials per (backbone, setting,
   * method), in the rows' order of backbones and settings with Original first, and each method's
   * gain of the mean over Original's (NaN without an Original row).
   */
  static Table summary(Table rows) {
    Table s =
        rows.summarize(
                "accuracy",
                AggregateFunctions.count,
                AggregateFunctions.mean,
                AggregateFunctions.stdDev)
            .by("backbone", "setting", "method");
    s.column("Count [accuracy]").setName("trials");
    s.column("Mean [accuracy]").setName("mean");
    s.column("Std. Deviation [accuracy]").setName("std");
    List<String> backbones = rows.stringColumn("backbone").asList().stream().distinct().toList();
    List<String> settings = rows.stringColumn("setting").asList().stream().distinct().toList();
    IntColumn order = IntColumn.create("order");
    Map<String, Double> original = new HashMap<>();
    for (int i = 0; i < s.rowCount(); i++) {
      Method m = Method.of(s.stringColumn("method").get(i));
      order.append(
          (backbones.indexOf(s.stringColumn("backbone").get(i)) * settings.size()
                      + settings.indexOf(s.stringColumn("setting").get(i)))
                  * Method.values().length
              + m.ordinal());
      if (m == Method.ORIGINAL) {
        original.put(
            s.stringColumn("backbone").get(i) + "|" + s.stringColumn("setting").get(i),
            s.doubleColumn("mean").getDouble(i));
      }
    }
    s = s.addColumns(order).sortAscendingOn("order").removeColumns("order");
    DoubleColumn std = s.doubleColumn("std");
    DoubleColumn gain = DoubleColumn.create("gain");
    StringColumn text = StringColumn.create("accuracy");
    for (int i = 0; i < s.rowCount(); i++) {
      // One trial has no spread: its std is 0, not undefined.
      double sd = Double.isNaN(std.getDouble(i)) ? 0 : std.getDouble(i);
      double mean = s.doubleColumn("mean").getDouble(i);
      std.set(i, sd);
      Double base =
          original.get(s.stringColumn("backbone").get(i) + "|" + s.stringColumn("setting").get(i));
      gain.append(base == null ? Double.NaN : mean - base);
      text.append(String.format(Locale.ROOT, "%.2f ± %.2f", mean, sd));
    }
    s.addColumns(gain, text);
    for (String c : List.of("mean", "std", "gain")) {
      s.replaceColumn(c, s.doubleColumn(c).map(v -> Math.round(v * 100) / 100.0).setName(c));
    }
    s.replaceColumn("trials", s.doubleColumn("trials").asIntColumn().setName("trials"));
    return s;
  }

  private static CategoryChart chart(Table summary) {
    List<String> categories = new ArrayList<>();
    for (int i = 0; i < summary.rowCount(); i++) {
      String c = category(summary, i);
      if (!categories.contains(c)) {
        categories.add(c);
      }
    }
    Map<String, double[]> means = new LinkedHashMap<>();
    Map<String, double[]> stds = new LinkedHashMap<>();
    for (int i = 0; i < summary.rowCount(); i++) {
      String m = summary.stringColumn("method").get(i);
      int c = categories.indexOf(category(summary, i));
      means.computeIfAbsent(m, k -> new double[categories.size()])[c] =
          summary.doubleColumn("mean").getDouble(i);
      stds.computeIfAbsent(m, k -> new double[categories.size()])[c] =
          summary.doubleColumn("std").getDouble(i);
    }
    return Charts.bars(summary.name(), "accuracy (%)", categories, means, stds);
  }

  private static String category(Table summary, int i) {
    return summary.stringColumn("backbone").get(i) + " " + summary.stringColumn("setting").get(i);
  }

  /**
   * Writes the summary as {@code <name>.csv}, the chart as {@code <name>.png} and each grid as
   * {@code synthetic-<setting>.png} into {@code dir}, and returns the files in that order.
   */
  public List<Path> write(Path dir, String name) {
    List<Path> files = new ArrayList<>();
    try {
      Files.createDirectories(dir);
      Path csv = dir.resolve(name + ".csv");
      summary.write().csv(csv.toFile());
      files.add(csv);
      files.add(Charts.writePng(chart, dir.resolve(name + ".png")));
      for (Map.Entry<String, ImageGrid> g : grids.entrySet()) {
        files.add(g.getValue().writePng(dir.resolve("synthetic-" + g.getKey() + ".png")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write results to " + dir, e);
    }
    return files;
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return summary.printAll();
  }
}
