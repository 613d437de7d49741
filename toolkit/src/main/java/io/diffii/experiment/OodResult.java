package io.diffii.experiment;

import io.diffii.augment.SyntheticSet;
import io.diffii.data.ImageDataset;
import io.diffii.notebook.Charts;
import io.diffii.notebook.ImageGrid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import tech.tablesaw.api.Table;

/**
 * What an OOD experiment measured ({@link OodExperiment}): the shared {@link Result} (rows with
 * their per-group accuracy in {@link Result#groups()}, summary, stages, synthetic folders) and
 * Table 3's view of it.
 *
 * @param result the experiment's rows, summary, stages, per-class and per-group accuracy, grids
 * @param table per (backbone, setting, method): trials, the mean over trials of the accuracy (%) of
 *     each group (LL, WW, LW, WL), of the average over groups and of the worst group, the std of
 *     the average, its gain over Original, "average ± std" and the overall accuracy
 * @param groupCharts per column (LL, WW, LW, WL, average, worst), a bar chart of the methods
 * @param shots per setting, the first trial's training shots
 */
public record OodResult(
    Result result,
    Table table,
    Map<String, CategoryChart> groupCharts,
    Map<String, ImageDataset> shots) {

  /** Freezes the maps. */
  public OodResult {
    groupCharts = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(groupCharts));
    shots = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(shots));
  }

  /**
   * Returns, for each class of {@code classes}, the first trial's training shots of {@code setting}
   * (left, all of them) beside {@code synthetic} of Diff-II's images of that class (right).
   */
  public ImageGrid shotsBesideDiffII(String setting, List<Integer> classes, int synthetic) {
    ImageDataset train = shots.get(setting);
    if (train == null) {
      throw new IllegalArgumentException("no setting " + setting + "; there are " + shots.keySet());
    }
    Table s = result.synthetic();
    for (int i = 0; i < s.rowCount(); i++) {
      if (s.stringColumn("setting").get(i).equals(setting)
          && s.intColumn("trial").get(i) == 0
          && s.stringColumn("method").get(i).equals(Method.DIFF_II.label())) {
        SyntheticSet set =
            SyntheticSet.read(Path.of(s.stringColumn("folder").get(i)), train.classNames());
        int real = java.util.Arrays.stream(train.classCounts()).max().orElse(1);
        return set.besideReal(train, real, synthetic, classes);
      }
    }
    throw new IllegalArgumentException("no Diff-II images of trial 0 at " + setting);
  }

  /**
   * Writes {@code <name>.csv} (Table 3), {@code <name>.png} (the overall accuracy chart), the
   * grids, {@code <name>-groups.csv} (every row's group accuracy) and {@code <name>-<column>.png}
   * per group chart into {@code dir}; returns the files.
   */
  public List<Path> write(Path dir, String name) {
    List<Path> files = new ArrayList<>(result.write(dir, name));
    try {
      table.write().csv(files.get(0).toFile());
      Path groups = dir.resolve(name + "-groups.csv");
      result.groups().write().csv(groups.toFile());
      files.add(groups);
      for (Map.Entry<String, CategoryChart> c : groupCharts.entrySet()) {
        files.add(Charts.writePng(c.getValue(), dir.resolve(name + "-" + c.getKey() + ".png")));
      }
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
