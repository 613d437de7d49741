package io.diffii.experiment;

import io.diffii.augment.DiffIISettings;
import io.diffii.classify.Backbone;
import io.diffii.classify.FineTune;
import io.diffii.classify.TrainConfig;
import io.diffii.data.Cub200;
import io.diffii.data.Habitat;
import io.diffii.data.ImageDataset;
import io.diffii.data.Sample;
import io.diffii.data.Split;
import io.diffii.data.Waterbirds;
import io.diffii.metrics.GroupAccuracy;
import io.diffii.notebook.Charts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.knowm.xchart.CategoryChart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Table 3: out-of-distribution classification. A backbone is fine-tuned on k shots per class whose
 * backgrounds are spuriously correlated with the class (each class has a habitat, land or water;
 * with correlation 1.0 every shot lies on its class's habitat), with or without synthetic images,
 * and tested on a set balanced over the four (class habitat, background) groups: LL and WW (the
 * background the shots taught), LW and WL (the other one). Each row reports the four groups'
 * accuracy, their average (each group weighted equally) and the worst group ({@link
 * GroupAccuracy}).
 *
 * <pre>{@code
 * OodResult r = Embedded.ood().trials(3).sweep(0.9).run();
 * r.table();          // setting × method: LL, WW, LW, WL, average, worst, gain over Original
 * r.groupCharts();    // one bar chart per group
 * }</pre>
 *
 * <p>The table runs every method at {@link #correlation} (default 1.0); {@link #sweep} adds, per
 * further correlation, Original and Diff-II only (a sweep the paper does not have). Each is a plan
 * of the shared {@link Experiment} into the same folder, so rows, resumption and generator folders
 * are its; the plan names each test sample's group ({@link #group}), so every row's group accuracy
 * lands in {@code groups.csv}. Diff-II's split ratio is the few-shot one (0.3 up to 5 shots) and
 * its suffixes come, as in every runner, from the benchmark's captioner applied to the training
 * shots: the test scenes are never captioned. Full scale: {@link #cubToWaterbirds} (5-shot CUB for
 * training, Waterbirds' test part for testing).
 */
public final class OodExperiment {

  /** The OOD splits of a benchmark. */
  @FunctionalInterface
  public interface Splits {
    /**
     * Returns {@code shots} training images per class with spurious {@code correlation} and the
     * group-balanced test set, drawn by {@code seed}.
     */
    Split of(int shots, double correlation, long seed);
  }

  /**
   * The four groups in the paper's order, named (class habitat, background): LL, WW, LW, WL (the
   * paper's (L,L), (W,W), (L,W), (W,L)).
   */
  public static final List<String> GROUPS = List.of("LL", "WW", "LW", "WL");

  /** Table 3's methods in the paper's order. */
  public static final List<Method> TABLE3 =
      List.of(
          Method.ORIGINAL,
          Method.REAL_FILTER,
          Method.REAL_GUIDANCE,
          Method.REAL_MIX,
          Method.DA_FUSION,
          Method.DIFF_AUG,
          Method.DIFF_MIX,
          Method.DIFF_II);

  private final Benchmark benchmark;
  private final Splits splits;
  private int shots = 5;
  private double correlation = 1.0;
  private double[] sweep = {};
  private Backbone backbone = Backbone.RESNET;
  private int trials = 1;
  private long seed;
  private List<Method> methods = TABLE3;
  private Path out = Path.of("runs/ood");
  private UnaryOperator<DiffIISettings> diffII = UnaryOperator.identity();
  private Function<Backbone, TrainConfig> recipe = FineTune::fewShotRecipe;
  private int testLimit = Integer.MAX_VALUE;

  private OodExperiment(Benchmark benchmark, Splits splits) {
    this.benchmark = benchmark;
    this.splits = splits;
  }

  /** Starts an OOD experiment on {@code benchmark} with its {@code splits}. */
  public static OodExperiment on(Benchmark benchmark, Splits splits) {
    return new OodExperiment(benchmark, splits);
  }

  /**
   * Returns the full-scale splits: {@code shots} training images per class of CUB-200-2011's train
   * part ({@link Cub200#read}, drawn by the seed) and Waterbirds' test part ({@link
   * Waterbirds#read}) with the fine bird classes as labels, as the paper's Table 3. Waterbirds'
   * classes are CUB's class folders, so the two share their class names. CUB's shots keep their own
   * backgrounds, so only correlation 1.0 (the natural one) is accepted. A folder without its files
   * is a clear error when the split is drawn.
   */
  public static Splits cubToWaterbirds(Path cubRoot, Path waterbirdsRoot) {
    return (k, c, seed) -> {
      if (c != 1.0) {
        throw new IllegalArgumentException(
            "CUB → Waterbirds trains on CUB's own backgrounds: only correlation 1.0, got " + c);
      }
      require(cubRoot, "images.txt", "CUB-200-2011");
      require(waterbirdsRoot, "metadata.csv", "Waterbirds");
      ImageDataset train = Cub200.read(cubRoot).train().perClass(k, seed);
      return Split.of(train, Waterbirds.read(waterbirdsRoot).test());
    };
  }

  private static void require(Path root, String file, String name) {
    if (!Files.isRegularFile(root.resolve(file))) {
      throw new IllegalArgumentException(
          name
              + " folder "
              + root.toAbsolutePath()
              + " has no "
              + file
              + ": point it at the data set in its published layout");
    }
  }

  /**
   * Returns the group of a test sample from its attributes {@link ImageDataset#Y} (class habitat)
   * and {@link ImageDataset#PLACE} (background): "LW" is a land class on a water background.
   */
  public static String group(Sample s) {
    return letter(s.attribute(ImageDataset.Y)) + letter(s.attribute(ImageDataset.PLACE));
  }

  private static String letter(String code) {
    return Habitat.ofCode(code) == Habitat.LAND ? "L" : "W";
  }

  /** Returns the setting label of a correlation: {@code corr=1}, {@code corr=0.9}. */
  public static String label(double correlation) {
    return "corr="
        + String.format(Locale.ROOT, "%.4f", correlation)
            .replaceAll("0+$", "")
            .replaceAll("\\.$", "");
  }

  /** Sets the shots per class (default 5, as the paper). */
  public OodExperiment shots(int k) {
    this.shots = k;
    return this;
  }

  /** Sets the table's spurious correlation (default 1.0: every shot on its class's habitat). */
  public OodExperiment correlation(double c) {
    this.correlation = checked(c);
    return this;
  }

  /**
   * Adds Original and Diff-II at each of these correlations beside the table (default none; the
   * table's own correlation is skipped).
   */
  public OodExperiment sweep(double... c) {
    for (double v : c) {
      checked(v);
    }
    this.sweep = c.clone();
    return this;
  }

  private static double checked(double c) {
    if (!(c >= 0 && c <= 1)) {
      throw new IllegalArgumentException("a correlation lies in [0, 1], got " + c);
    }
    return c;
  }

  /** Sets the backbone (default ResNet, as the paper's Table 3). */
  public OodExperiment backbone(Backbone b) {
    this.backbone = b;
    return this;
  }

  /** Sets the number of trials (default 1; the paper averages 3). */
  public OodExperiment trials(int n) {
    this.trials = n;
    return this;
  }

  /** Sets the first trial's seed (default 0). */
  public OodExperiment seed(long s) {
    this.seed = s;
    return this;
  }

  /** Sets the table's methods (default {@link #TABLE3}). */
  public OodExperiment methods(Method... m) {
    this.methods = List.of(m);
    return this;
  }

  /** Sets the output folder (default runs/ood). */
  public OodExperiment out(Path dir) {
    this.out = dir;
    return this;
  }

  /** Adjusts the Diff-II settings after the benchmark's and the split ratio. */
  public OodExperiment diffII(UnaryOperator<DiffIISettings> change) {
    this.diffII = change;
    return this;
  }

  /** Sets the fine-tuning recipe (default {@link FineTune#fewShotRecipe}). */
  public OodExperiment recipe(Function<Backbone, TrainConfig> r) {
    this.recipe = r;
    return this;
  }

  /** Scores the first {@code n} test images only (default all). */
  public OodExperiment testLimit(int n) {
    this.testLimit = n;
    return this;
  }

  /**
   * Returns the plans these choices make: the table (every method at {@link #correlation}), then,
   * when {@link #sweep} names other correlations, Original and Diff-II at those.
   */
  public List<Plan> plans() {
    List<Plan> plans = new ArrayList<>();
    plans.add(plan(new double[] {correlation}, methods));
    double[] others = Arrays.stream(sweep).distinct().filter(c -> c != correlation).toArray();
    if (others.length > 0) {
      plans.add(plan(others, List.of(Method.ORIGINAL, Method.DIFF_II)));
    }
    return plans;
  }

  private Plan plan(double[] correlations, List<Method> ms) {
    List<Setting> settings = new ArrayList<>();
    for (double c : correlations) {
      settings.add(
          new Setting(label(c), s -> splits.of(shots, c, s), FewShotExperiment.splitRatio(shots)));
    }
    return new Plan(
        "ood",
        settings,
        trials,
        seed,
        List.of(backbone),
        ms,
        recipe,
        testLimit,
        diffII,
        OodExperiment::group);
  }

  /**
   * Measures every row of the plans not yet in {@code <out>/rows.csv} and returns Table 3 with the
   * first trial's training shots of each setting.
   */
  public OodResult run() {
    List<Result> parts = new ArrayList<>();
    Map<String, ImageDataset> firstShots = new LinkedHashMap<>();
    for (Plan p : plans()) {
      parts.add(Experiment.run(benchmark, p, out));
      for (Setting s : p.settings()) {
        firstShots.put(s.label(), s.split().apply(seed).train());
      }
    }
    Result r = merge(parts);
    Table table = table(r.summary(), r.groups());
    return new OodResult(r, table, groupCharts(table, r.groups()), firstShots);
  }

  /** Returns the results of the plans as one. */
  private Result merge(List<Result> parts) {
    Result first = parts.get(0);
    Table rows = first.rows().emptyCopy();
    Table stages = first.stages().emptyCopy();
    Table classes = first.classes().emptyCopy();
    Table groups = first.groups().emptyCopy();
    Table synthetic = first.synthetic().emptyCopy();
    Map<String, io.diffii.notebook.ImageGrid> grids = new LinkedHashMap<>();
    for (Result p : parts) {
      rows.append(p.rows());
      stages.append(p.stages());
      classes.append(p.classes());
      groups.append(p.groups());
      synthetic.append(p.synthetic());
      grids.putAll(p.grids());
    }
    return Result.of(
        String.format(Locale.ROOT, "OOD, %d-shot, %s, %s", shots, backbone.id(), benchmark.name()),
        rows,
        stages.dropDuplicateRows(),
        classes,
        groups,
        grids,
        synthetic);
  }

  /** The table's per-trial columns: the four groups, their average and the worst group. */
  private static final List<String> COLUMNS = columns();

  private static List<String> columns() {
    List<String> c = new ArrayList<>(GROUPS);
    c.add("average");
    c.add("worst");
    return List.copyOf(c);
  }

  /**
   * Returns each (backbone|setting|method)'s per-trial values of {@link #COLUMNS} (%): each group's
   * accuracy, and the trial's average over groups and worst group.
   */
  static Map<String, Map<String, List<Double>>> perTrial(Table groups) {
    Map<String, Map<Integer, Map<String, double[]>>> byTrial = new LinkedHashMap<>();
    for (int i = 0; i < groups.rowCount(); i++) {
      byTrial
          .computeIfAbsent(key(groups, i), k -> new TreeMap<>())
          .computeIfAbsent(groups.intColumn("trial").get(i), k -> new TreeMap<>())
          .put(
              groups.stringColumn("group").get(i),
              new double[] {
                groups.doubleColumn("accuracy").getDouble(i), groups.intColumn("images").get(i)
              });
    }
    Map<String, Map<String, List<Double>>> out = new LinkedHashMap<>();
    byTrial.forEach(
        (key, trials) -> {
          Map<String, List<Double>> columns = new LinkedHashMap<>();
          COLUMNS.forEach(c -> columns.put(c, new ArrayList<>()));
          for (Map<String, double[]> g : trials.values()) {
            Map<String, Integer> counts = new TreeMap<>();
            Map<String, Double> accuracy = new TreeMap<>();
            g.forEach(
                (name, v) -> {
                  counts.put(name, (int) v[1]);
                  accuracy.put(name, v[0]);
                });
            GroupAccuracy ga = new GroupAccuracy(counts, accuracy);
            for (String group : GROUPS) {
              columns.get(group).add(accuracy.getOrDefault(group, Double.NaN));
            }
            columns.get("average").add(ga.average());
            columns.get("worst").add(ga.worst());
          }
          out.put(key, columns);
        });
    return out;
  }

  private static String key(Table t, int i) {
    return t.stringColumn("backbone").get(i)
        + "|"
        + t.stringColumn("setting").get(i)
        + "|"
        + t.stringColumn("method").get(i);
  }

  /**
   * Returns Table 3: per summary row (backbone, setting, method, in its order) the trials, the mean
   * over trials of each group's accuracy, of the average over groups and of the worst group (%),
   * the sample std of the average, the average's gain over Original's (points), "average ± std",
   * and the overall test accuracy (the plain mean over test images).
   */
  static Table table(Table summary, Table groups) {
    Map<String, Map<String, List<Double>>> values = perTrial(groups);
    Table t =
        Table.create(
            summary.name().replace("Accuracy (%)", "Group accuracy (%)"),
            StringColumn.create("backbone"),
            StringColumn.create("setting"),
            StringColumn.create("method"),
            IntColumn.create("trials"));
    COLUMNS.forEach(c -> t.addColumns(DoubleColumn.create(c)));
    t.addColumns(
        DoubleColumn.create("std"),
        DoubleColumn.create("gain"),
        StringColumn.create("accuracy"),
        DoubleColumn.create("overall"));
    Map<String, Double> original = new LinkedHashMap<>();
    for (int i = 0; i < summary.rowCount(); i++) {
      Map<String, List<Double>> v = values.getOrDefault(key(summary, i), Map.of());
      t.stringColumn("backbone").append(summary.stringColumn("backbone").get(i));
      t.stringColumn("setting").append(summary.stringColumn("setting").get(i));
      t.stringColumn("method").append(summary.stringColumn("method").get(i));
      t.intColumn("trials").append(v.isEmpty() ? 0 : v.get("average").size());
      for (String c : COLUMNS) {
        t.doubleColumn(c).append(round(mean(v.getOrDefault(c, List.of()))));
      }
      double average = mean(v.getOrDefault("average", List.of()));
      double std = std(v.getOrDefault("average", List.of()));
      t.doubleColumn("std").append(round(std));
      String setting =
          summary.stringColumn("backbone").get(i) + "|" + t.stringColumn("setting").get(i);
      if (Method.of(summary.stringColumn("method").get(i)) == Method.ORIGINAL) {
        original.put(setting, average);
      }
      t.doubleColumn("gain").append(round(average - original.getOrDefault(setting, Double.NaN)));
      t.stringColumn("accuracy")
          .append(
              Double.isNaN(average)
                  ? "—"
                  : String.format(Locale.ROOT, "%.2f ± %.2f", average, std));
      t.doubleColumn("overall").append(summary.doubleColumn("mean").getDouble(i));
    }
    return t;
  }

  /**
   * Returns one bar chart per column of {@link #COLUMNS} (the four groups, average, worst), titled
   * by the group: one category per (backbone, setting), one bar per method, the std over trials as
   * error bars.
   */
  static Map<String, CategoryChart> groupCharts(Table table, Table groups) {
    Map<String, Map<String, List<Double>>> values = perTrial(groups);
    List<String> categories = new ArrayList<>();
    for (int i = 0; i < table.rowCount(); i++) {
      String c = category(table, i);
      if (!categories.contains(c)) {
        categories.add(c);
      }
    }
    Map<String, CategoryChart> charts = new LinkedHashMap<>();
    for (String column : COLUMNS) {
      Map<String, double[]> means = new LinkedHashMap<>();
      Map<String, double[]> stds = new LinkedHashMap<>();
      for (int i = 0; i < table.rowCount(); i++) {
        String m = table.stringColumn("method").get(i);
        int at = categories.indexOf(category(table, i));
        List<Double> v =
            values.getOrDefault(key(table, i), Map.of()).getOrDefault(column, List.of());
        means.computeIfAbsent(m, k -> new double[categories.size()])[at] = mean(v);
        stds.computeIfAbsent(m, k -> new double[categories.size()])[at] = std(v);
      }
      if (means.isEmpty()) {
        means.put("no rows yet", new double[categories.size()]);
      }
      charts.put(
          column,
          // The title names the group only: the table's name (shots, benchmark) does not fit.
          Charts.bars(describe(column), "accuracy (%)", categories, means, stds));
    }
    return charts;
  }

  private static String category(Table t, int i) {
    return t.stringColumn("backbone").get(i) + " " + t.stringColumn("setting").get(i);
  }

  /** Returns a column's name with what it means: "LW (land class, water background)". */
  static String describe(String column) {
    if (!GROUPS.contains(column)) {
      return column.equals("average") ? "average over the 4 groups" : "worst group";
    }
    return String.format(
        Locale.ROOT,
        "%s (%s class, %s background)",
        column,
        column.charAt(0) == 'L' ? "land" : "water",
        column.charAt(1) == 'L' ? "land" : "water");
  }

  private static double mean(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  /** The sample standard deviation, 0 for one value. */
  private static double std(List<Double> v) {
    if (v.size() < 2) {
      return 0;
    }
    double m = mean(v);
    double ss = v.stream().mapToDouble(x -> (x - m) * (x - m)).sum();
    return Math.sqrt(ss / (v.size() - 1));
  }

  /** Rounds to 2 decimals; NaN (no rows) stays NaN. */
  private static double round(double v) {
    return Double.isNaN(v) ? v : Math.round(v * 100) / 100.0;
  }
}
