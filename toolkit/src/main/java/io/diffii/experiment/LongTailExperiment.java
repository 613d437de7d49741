package io.diffii.experiment;

import io.diffii.augment.DiffIISettings;
import io.diffii.classify.Backbone;
import io.diffii.classify.FineTune;
import io.diffii.classify.TrainConfig;
import io.diffii.data.Split;
import io.diffii.notebook.Charts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Table 2: long-tailed classification. Per imbalance factor (IF) and trial a long-tailed training
 * set is drawn; a backbone is fine-tuned with plain cross-entropy (CE, {@link Method#ORIGINAL}),
 * CMO, CMO-DRW, or with synthetic images of a generative method mixed in by the replacement
 * probability; accuracy on the balanced test set is reported overall and per many / medium /
 * few-shot group ({@link ShotGroups}), with the gain over CE.
 *
 * <pre>{@code
 * LongTailResult r = Embedded.longTail().imbalance(100, 20, 10).methods(...).trials(3).run();
 * r.table();           // IF × method: accuracy, many, medium, few, gain over CE
 * r.classAccuracy();   // per-class accuracy against training images
 * }</pre>
 *
 * Diff-II runs as the paper's long-tail setting: s = 1.0 (the whole trajectory with the suffix
 * prompt), class-balanced draws in concept learning, the expansion rate per class (a class of n
 * images gets expansion·n synthetic ones) and, for a class of one image, Gaussian starts (its
 * manifest lines say {@code "start": "gaussian"}); Diff-Mix's soft label has the long-tail
 * confidence c = 1.0. The classifier recipe is {@link FineTune#longTailRecipe}. Rows, resumption
 * and folders are {@link Experiment}'s; setting {@code IF<f>} of trial {@code t} runs on seed
 * {@code seed + t}.
 */
public final class LongTailExperiment {

  /** The long-tailed splits of a benchmark. */
  @FunctionalInterface
  public interface Splits {
    /** Returns the split of imbalance factor {@code imbalanceFactor} drawn by {@code seed}. */
    Split of(double imbalanceFactor, long seed);
  }

  private final Benchmark benchmark;
  private final Splits splits;
  private final DoubleFunction<ShotGroups> groups;
  private double[] factors = {100, 20, 10};
  private List<Backbone> backbones = List.of(Backbone.RESNET);
  private int trials = 1;
  private long seed;
  private List<Method> methods = List.of(Method.ORIGINAL, Method.DIFF_II);
  private Path out = Path.of("runs/long-tail");
  private UnaryOperator<DiffIISettings> diffII = UnaryOperator.identity();
  private Function<Backbone, TrainConfig> recipe = FineTune::longTailRecipe;
  private int testLimit = Integer.MAX_VALUE;

  private LongTailExperiment(
      Benchmark benchmark, Splits splits, DoubleFunction<ShotGroups> groups) {
    this.benchmark = benchmark;
    this.splits = splits;
    this.groups = groups;
  }

  /**
   * Starts a long-tail experiment on {@code benchmark} with its {@code splits} and the shot groups
   * of each imbalance factor.
   */
  public static LongTailExperiment on(
      Benchmark benchmark, Splits splits, DoubleFunction<ShotGroups> groups) {
    return new LongTailExperiment(benchmark, splits, groups);
  }

  /** Sets the imbalance factors (default 100, 20, 10). */
  public LongTailExperiment imbalance(double... f) {
    for (double v : f) {
      if (!(v >= 1)) {
        throw new IllegalArgumentException("an imbalance factor is at least 1, got " + v);
      }
    }
    this.factors = f.clone();
    return this;
  }

  /** Sets the backbones (default ResNet, as the paper's Table 2). */
  public LongTailExperiment backbones(Backbone... b) {
    this.backbones = List.of(b);
    return this;
  }

  /** Sets the number of trials (default 1; the paper averages 3). */
  public LongTailExperiment trials(int n) {
    this.trials = n;
    return this;
  }

  /** Sets the first trial's seed (default 0). */
  public LongTailExperiment seed(long s) {
    this.seed = s;
    return this;
  }

  /** Sets the methods (default CE and Diff-II). */
  public LongTailExperiment methods(Method... m) {
    this.methods = List.of(m);
    return this;
  }

  /** Sets the output folder (default runs/long-tail). */
  public LongTailExperiment out(Path dir) {
    this.out = dir;
    return this;
  }

  /** Adjusts the Diff-II settings after the long-tail ones (s = 1.0, balanced concepts). */
  public LongTailExperiment diffII(UnaryOperator<DiffIISettings> change) {
    this.diffII = change;
    return this;
  }

  /** Sets the fine-tuning recipe per backbone (default {@link FineTune#longTailRecipe}). */
  public LongTailExperiment recipe(Function<Backbone, TrainConfig> r) {
    this.recipe = r;
    return this;
  }

  /** Scores the first {@code n} test images only (default all). */
  public LongTailExperiment testLimit(int n) {
    this.testLimit = n;
    return this;
  }

  /** Returns the setting label of an imbalance factor: {@code IF100}. */
  public static String label(double imbalanceFactor) {
    return imbalanceFactor == Math.rint(imbalanceFactor)
        ? "IF" + (long) imbalanceFactor
        : "IF" + imbalanceFactor;
  }

  /** Returns the plan these choices make. */
  public Plan plan() {
    List<Setting> settings = new ArrayList<>();
    for (double f : Arrays.stream(factors).distinct().toArray()) {
      settings.add(
          new Setting(
              label(f),
              s -> splits.of(f, s),
              d ->
                  d.withConcept(d.concept().withBalanced(true))
                      .withSampling(d.sampling().withSplitRatio(1.0)),
              b -> b.withConfidence(1.0)));
    }
    return new Plan(
        "long-tail", settings, trials, seed, backbones, methods, recipe, testLimit, diffII);
  }

  /** Measures every row of the plan not yet in {@code <out>/rows.csv} and returns the tables. */
  public LongTailResult run() {
    Result r = Experiment.run(benchmark, plan(), out);
    Map<String, ShotGroups> bySetting = new LinkedHashMap<>();
    for (double f : factors) {
      bySetting.put(label(f), groups.apply(f));
    }
    Table table = table(r.summary(), r.classes(), bySetting);
    String last = label(Arrays.stream(factors).max().orElseThrow());
    return new LongTailResult(r, table, classChart(r.classes(), last));
  }

  /**
   * Returns the long-tail table: the summary's rows (Original named CE) with the mean many / medium
   * / few-shot accuracy (%) over trials, each trial's group accuracy the mean of its classes'
   * accuracies (the test set is balanced, so this is the group's pooled accuracy).
   */
  static Table table(Table summary, Table classes, Map<String, ShotGroups> groups) {
    // (backbone|setting|method) -> group -> per-trial sums and counts
    Map<String, Map<ShotGroups.Group, Map<Integer, double[]>>> acc = new LinkedHashMap<>();
    for (int i = 0; i < classes.rowCount(); i++) {
      String setting = classes.stringColumn("setting").get(i);
      ShotGroups g = groups.get(setting);
      if (g == null) {
        continue;
      }
      String key =
          classes.stringColumn("backbone").get(i)
              + "|"
              + setting
              + "|"
              + classes.stringColumn("method").get(i);
      double[] sum =
          acc.computeIfAbsent(key, k -> new TreeMap<>())
              .computeIfAbsent(g.of(classes.intColumn("train_images").get(i)), k -> new TreeMap<>())
              .computeIfAbsent(classes.intColumn("trial").get(i), k -> new double[2]);
      sum[0] += classes.doubleColumn("accuracy").getDouble(i);
      sum[1]++;
    }
    Table t =
        Table.create(
            summary.name(),
            StringColumn.create("backbone"),
            StringColumn.create("setting"),
            StringColumn.create("method"),
            IntColumn.create("trials"),
            DoubleColumn.create("mean"),
            DoubleColumn.create("std"),
            DoubleColumn.create("many"),
            DoubleColumn.create("medium"),
            DoubleColumn.create("few"),
            DoubleColumn.create("gain"),
            StringColumn.create("accuracy"));
    for (int i = 0; i < summary.rowCount(); i++) {
      String method = summary.stringColumn("method").get(i);
      String key =
          summary.stringColumn("backbone").get(i)
              + "|"
              + summary.stringColumn("setting").get(i)
              + "|"
              + method;
      t.stringColumn("backbone").append(summary.stringColumn("backbone").get(i));
      t.stringColumn("setting").append(summary.stringColumn("setting").get(i));
      t.stringColumn("method").append(Method.of(method) == Method.ORIGINAL ? "CE" : method);
      t.intColumn("trials").append(summary.intColumn("trials").get(i));
      for (String c : List.of("mean", "std")) {
        t.doubleColumn(c).append(summary.doubleColumn(c).getDouble(i));
      }
      for (ShotGroups.Group g : ShotGroups.Group.values()) {
        Map<Integer, double[]> perTrial = acc.getOrDefault(key, Map.of()).get(g);
        double mean =
            perTrial == null
                ? Double.NaN
                : perTrial.values().stream().mapToDouble(s -> s[0] / s[1]).average().orElseThrow();
        t.doubleColumn(g.name().toLowerCase(Locale.ROOT)).append(Math.round(mean * 100) / 100.0);
      }
      t.doubleColumn("gain").append(summary.doubleColumn("gain").getDouble(i));
      t.stringColumn("accuracy").append(summary.stringColumn("accuracy").get(i));
    }
    return t;
  }

  /**
   * Returns CE's and Diff-II's per-class accuracy (mean over trials) against the class's training
   * images in {@code setting}, on a logarithmic axis (the other methods' are in the table of
   * classes).
   */
  static XYChart classChart(Table classes, String setting) {
    Table in =
        classes.where(
            classes
                .stringColumn("setting")
                .isEqualTo(setting)
                .and(
                    classes
                        .stringColumn("method")
                        .isIn(Method.ORIGINAL.label(), Method.DIFF_II.label())));
    TreeMap<Integer, Integer> sizeOfLabel = new TreeMap<>();
    Map<String, Map<Integer, double[]>> byMethod = new LinkedHashMap<>();
    for (int i = 0; i < in.rowCount(); i++) {
      int label = in.intColumn("label").get(i);
      sizeOfLabel.put(label, in.intColumn("train_images").get(i));
      String m = in.stringColumn("method").get(i);
      String name = Method.of(m) == Method.ORIGINAL ? "CE" : m;
      double[] s =
          byMethod
              .computeIfAbsent(
                  in.stringColumn("backbone").get(i) + " " + name, k -> new TreeMap<>())
              .computeIfAbsent(label, k -> new double[2]);
      s[0] += in.doubleColumn("accuracy").getDouble(i);
      s[1]++;
    }
    Integer[] labels =
        sizeOfLabel.keySet().stream()
            .sorted((a, b) -> Integer.compare(sizeOfLabel.get(a), sizeOfLabel.get(b)))
            .toArray(Integer[]::new);
    double[] x =
        labels.length == 0
            ? new double[] {1}
            : Arrays.stream(labels).mapToDouble(sizeOfLabel::get).toArray();
    Map<String, double[]> series = new LinkedHashMap<>();
    byMethod.forEach(
        (name, perLabel) ->
            series.put(
                name,
                Arrays.stream(labels)
                    .mapToDouble(
                        l -> perLabel.containsKey(l) ? perLabel.get(l)[0] / perLabel.get(l)[1] : 0)
                    .toArray()));
    if (series.isEmpty()) {
      series.put("no rows yet", new double[x.length]);
    }
    XYChart chart =
        Charts.line(
            "Per-class accuracy against training images, " + setting,
            "training images of the class",
            "test accuracy (%)",
            x,
            series);
    chart.getStyler().setXAxisLogarithmic(true);
    return chart;
  }
}
