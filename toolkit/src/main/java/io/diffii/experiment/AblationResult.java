package io.diffii.experiment;

import io.diffii.augment.SyntheticSet;
import io.diffii.notebook.Charts;
import io.diffii.notebook.ImageGrid;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * What an ablation measured ({@link AblationExperiment}), as objects a notebook shows directly:
 * every (variant, trial) row with its accuracy and set measures, the summary (mean ± sample std
 * over trials per variant, in the variants' order, Original first), the stage wall times, and a
 * chart — grouped bars per variant (Table 4), or, when every variant has a swept value x (Figure
 * 7's s), curves against x with error bars: accuracy on the left axis, the set measures on the
 * right.
 *
 * @param rows one row per (variant, trial): accuracy, each measure, the synthetic folder
 * @param summary per variant: trials, x, mean and std of accuracy and of each measure, and each as
 *     "mean ± std"
 * @param stages wall time of each stage that ran
 * @param chart the summary as bars or curves
 */
public record AblationResult(Table rows, Table summary, Table stages, Chart<?, ?> chart) {

  /** Summarises {@code rows} under {@code title} and charts the summary. */
  static AblationResult of(String title, Table rows, Table stages, List<SetMeasure> measures) {
    List<String> columns = new ArrayList<>(List.of("accuracy"));
    measures.forEach(m -> columns.add(m.name()));
    Table summary = summary(rows, columns).setName("Ablation, " + title);
    return new AblationResult(rows, summary, stages, chart(summary, columns));
  }

  /**
   * Returns per variant, in the rows' order: trials, x, and for each of {@code columns} its mean,
   * its sample standard deviation (0 for one trial) and "mean ± std" (2 decimals).
   */
  static Table summary(Table rows, List<String> columns) {
    List<String> variants = rows.stringColumn("variant").asList().stream().distinct().toList();
    Table s =
        Table.create(
            "summary",
            StringColumn.create("variant"),
            StringColumn.create("description"),
            IntColumn.create("trials"),
            DoubleColumn.create("x"));
    for (String c : columns) {
      s.addColumns(
          DoubleColumn.create(c + "_mean"),
          DoubleColumn.create(c + "_std"),
          StringColumn.create(c));
    }
    for (String v : variants) {
      Table of = rows.where(rows.stringColumn("variant").isEqualTo(v));
      s.stringColumn("variant").append(v);
      s.stringColumn("description").append(of.stringColumn("description").get(0));
      s.intColumn("trials").append(of.rowCount());
      s.doubleColumn("x").append(of.doubleColumn("x").get(0));
      for (String c : columns) {
        double[] values = of.doubleColumn(c).asDoubleArray();
        double mean = java.util.Arrays.stream(values).average().orElse(Double.NaN);
        double ss = 0;
        for (double x : values) {
          ss += (x - mean) * (x - mean);
        }
        double std = values.length < 2 ? 0 : Math.sqrt(ss / (values.length - 1));
        s.doubleColumn(c + "_mean").append(mean);
        s.doubleColumn(c + "_std").append(std);
        s.stringColumn(c)
            .append(
                Double.isNaN(mean) ? "—" : String.format(Locale.ROOT, "%.2f ± %.2f", mean, std));
      }
    }
    return s;
  }

  private static Chart<?, ?> chart(Table summary, List<String> columns) {
    Table swept = summary.where(summary.doubleColumn("x").isNotMissing());
    boolean curve =
        swept.rowCount() >= 2
            && swept.rowCount()
                == summary
                    .where(summary.stringColumn("variant").isNotEqualTo("Original"))
                    .rowCount();
    if (curve) {
      return curves(summary.name(), swept, columns);
    }
    Map<String, double[]> means = new LinkedHashMap<>();
    Map<String, double[]> stds = new LinkedHashMap<>();
    for (String c : columns) {
      means.put(c, summary.doubleColumn(c + "_mean").asDoubleArray());
      stds.put(c, summary.doubleColumn(c + "_std").asDoubleArray());
    }
    return Charts.bars(
        summary.name(),
        "accuracy (%) / measure",
        summary.stringColumn("variant").asList(),
        means,
        stds);
  }

  private static XYChart curves(String title, Table swept, List<String> columns) {
    double[] x = swept.doubleColumn("x").asDoubleArray();
    Map<String, double[]> left =
        Map.of("accuracy", swept.doubleColumn("accuracy_mean").asDoubleArray());
    Map<String, double[]> right = new LinkedHashMap<>();
    Map<String, double[]> errors = new LinkedHashMap<>();
    for (String c : columns) {
      errors.put(c, swept.doubleColumn(c + "_std").asDoubleArray());
      if (!c.equals("accuracy")) {
        right.put(c, swept.doubleColumn(c + "_mean").asDoubleArray());
      }
    }
    return Charts.twoAxes(
        title, "split ratio s", x, "accuracy (%)", left, "measure", right, errors);
  }

  /**
   * Returns a grid with one row per variant of {@code variants} (labels as in the rows): the first
   * trial's synthetic images of class {@code label} with plan indices {@code 0…n−1}. Diff-II draws
   * an image's pair, λ and noise from (seed, class, index), so variants that differ only in the
   * split ratio show the same start latents column by column.
   */
  public ImageGrid sameStarts(List<String> variants, int label, int n) {
    List<List<BufferedImage>> grid = new ArrayList<>();
    for (String v : variants) {
      Table of =
          rows.where(
              rows.stringColumn("variant").isEqualTo(v).and(rows.intColumn("trial").isEqualTo(0)));
      if (of.rowCount() == 0 || of.stringColumn("folder").get(0).isEmpty()) {
        throw new IllegalArgumentException("no synthetic set of variant " + v + " in trial 0");
      }
      // Reading images needs no class names.
      SyntheticSet set = SyntheticSet.read(Path.of(of.stringColumn("folder").get(0)), List.of());
      BufferedImage[] row = new BufferedImage[n];
      for (int i = 0; i < set.size(); i++) {
        var r = set.records().get(i);
        int index = r.get("index").getAsInt() - firstIndex(set, label);
        if (r.get("label").getAsInt() == label && index >= 0 && index < n) {
          row[index] = set.image(i).toBufferedImage();
        }
      }
      for (int k = 0; k < n; k++) {
        if (row[k] == null) {
          throw new IllegalArgumentException(
              "variant " + v + " has fewer than " + n + " images of class " + label);
        }
      }
      grid.add(List.of(row));
    }
    return ImageGrid.of(grid).withRowLabels(variants);
  }

  /** Returns the smallest plan index of class {@code label} in {@code set}. */
  private static int firstIndex(SyntheticSet set, int label) {
    return set.records().stream()
        .filter(r -> r.get("label").getAsInt() == label)
        .mapToInt(r -> r.get("index").getAsInt())
        .min()
        .orElse(0);
  }

  /**
   * Writes the summary as {@code <name>.csv}, every row as {@code <name>-rows.csv} and the chart as
   * {@code <name>.png} into {@code dir}, and returns the files in that order.
   */
  public List<Path> write(Path dir, String name) {
    try {
      Files.createDirectories(dir);
      Path csv = dir.resolve(name + ".csv");
      summary.write().csv(csv.toFile());
      Path all = dir.resolve(name + "-rows.csv");
      rows.write().csv(all.toFile());
      return List.of(csv, all, Charts.writePng(chart, dir.resolve(name + ".png")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write results to " + dir, e);
    }
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return summary.printAll();
  }
}
