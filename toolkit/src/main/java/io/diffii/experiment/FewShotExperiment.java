package io.diffii.experiment;

import io.diffii.augment.DiffII;
import io.diffii.augment.SyntheticSet;
import io.diffii.classify.FineTune;
import io.diffii.classify.LabeledImages;
import io.diffii.classify.TrainConfig;
import io.diffii.classify.Trainer;
import io.diffii.data.ImageDataset;
import io.diffii.data.Split;
import io.diffii.data.Splits;
import io.diffii.embedded.Embedded;
import io.diffii.model.StableDiffusion;
import io.diffii.notebook.Charts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.knowm.xchart.CategoryChart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Table 1 on the embedded benchmark: few-shot Fashion scenes (k images per class), a pretrained
 * backbone fine-tuned on the real shots alone (Original) or with Diff-II's synthetic images mixed
 * in by the replacement probability, over several trials (each trial its own shots and seed).
 *
 * <pre>{@code
 * FewShotExperiment.Result r =
 *     FewShotExperiment.embedded().shots(5, 10).backbones("resnet", "vit").trials(3).out(dir).run();
 * r.table();   // method × backbone × shots: mean ± std, gain over Original
 * }</pre>
 *
 * Every trial's result is appended to {@code trials.csv} as it is measured and every synthetic
 * set is kept under {@code <out>/<k>-shot/trial-<t>/}, so a stopped experiment resumes.
 */
public final class FewShotExperiment {

  /** The compared methods. */
  public enum Method {
    /** Real shots only. */
    ORIGINAL("Original"),
    /** Real shots mixed with Diff-II's synthetic images. */
    DIFF_II("Diff-II");

    private final String label;

    Method(String label) {
      this.label = label;
    }

    /** Returns the name the tables use. */
    public String label() {
      return label;
    }
  }

  /** What an experiment measured, and where it wrote it. */
  public record Result(
      Table table, Table trials, Table stages, Path csv, Path chart, List<Path> grids) {
    /** {@inheritDoc} */
    @Override
    public String toString() {
      return table.printAll() + "\nCSV: " + csv + "\nchart: " + chart + "\ngrids: " + grids;
    }
  }

  private int[] shots = {5};
  private List<String> backbones = List.of("resnet");
  private int trials = 1;
  private List<Method> methods = List.of(Method.ORIGINAL, Method.DIFF_II);
  private Path out = Path.of("runs/few-shot");
  private Consumer<DiffII> diffII = d -> {};
  private Function<String, TrainConfig> recipe = FineTune::fewShotRecipe;
  private int testLimit = Integer.MAX_VALUE;

  private FewShotExperiment() {}

  /** Starts an experiment on the embedded model and backbones. */
  public static FewShotExperiment embedded() {
    return new FewShotExperiment();
  }

  /** Sets the shots per class to run (default 5). */
  public FewShotExperiment shots(int... k) {
    this.shots = k.clone();
    return this;
  }

  /** Sets the backbones ("resnet", "vit"; default resnet). */
  public FewShotExperiment backbones(String... names) {
    this.backbones = List.of(names);
    return this;
  }

  /** Sets the number of trials (default 1; the paper averages 3). */
  public FewShotExperiment trials(int n) {
    this.trials = n;
    return this;
  }

  /** Sets the methods (default Original and Diff-II). */
  public FewShotExperiment methods(Method... m) {
    this.methods = List.of(m);
    return this;
  }

  /** Sets the output folder (default runs/few-shot). */
  public FewShotExperiment out(Path dir) {
    this.out = dir;
    return this;
  }

  /** Adjusts Diff-II after the embedded settings are applied (e.g. fewer concept steps). */
  public FewShotExperiment diffII(Consumer<DiffII> settings) {
    this.diffII = settings;
    return this;
  }

  /** Sets the fine-tuning recipe per backbone (default {@link FineTune#fewShotRecipe}). */
  public FewShotExperiment recipe(Function<String, TrainConfig> r) {
    this.recipe = r;
    return this;
  }

  /** Evaluates on the first {@code n} test scenes only (default all 10,000). */
  public FewShotExperiment testLimit(int n) {
    this.testLimit = n;
    return this;
  }

  /** Runs every (shots, trial, backbone, method) not yet in {@code trials.csv} and returns the tables. */
  public Result run() {
    if (shots.length == 0 || backbones.isEmpty() || trials < 1 || methods.isEmpty()) {
      throw new IllegalArgumentException("an experiment needs shots, backbones, trials >= 1 and methods");
    }
    backbones.forEach(Embedded::backbone);
    Path trialsCsv = out.resolve("trials.csv");
    Path stagesCsv = out.resolve("stages.csv");
    Map<String, String[]> done = readRows(trialsCsv);
    List<Path> grids = new ArrayList<>();
    Map<Integer, LabeledImages> tests = new java.util.HashMap<>();
    for (int k : shots) {
      for (int trial = 0; trial < trials; trial++) {
        Split split = Splits.fewShot(k, trial);
        Path runDir = out.resolve(k + "-shot").resolve("trial-" + trial);
        Map<Integer, List<float[]>> synthetic = Map.of();
        if (methods.contains(Method.DIFF_II)) {
          SyntheticSet set = synthesize(split, k, trial, runDir, stagesCsv);
          synthetic = set.byClass();
          if (trial == 0) {
            grids.add(writeGrid(set, split, k));
          }
        }
        LabeledImages train = LabeledImages.of(split.train(), 32);
        for (String backbone : backbones) {
          for (Method method : methods) {
            String key = key(k, trial, backbone, method.label());
            if (done.containsKey(key)) {
              continue;
            }
            // The test scenes depend on the trial's seed only: composed once, and only when scored.
            LabeledImages test = tests.computeIfAbsent(trial, t -> testImages(split.test()));
            TrainConfig config = recipe.apply(backbone).withSeed(trial);
            if (method == Method.ORIGINAL) {
              config = config.withReplacementProbability(0);
            }
            Trainer.Result r =
                FineTune.run(
                    Embedded.backbone(backbone), split.train().classNames().size(), train,
                    method == Method.ORIGINAL ? Map.of() : synthetic, test, config);
            System.out.printf(Locale.ROOT, "%d-shot trial %d %s %s: %s%n", k, trial, backbone, method.label(), r);
            String[] row = {
              Integer.toString(k), Integer.toString(trial), backbone, method.label(),
              fmt(100 * r.accuracy()), fmt(r.replacedFraction()), fmt(r.seconds())
            };
            append(trialsCsv, TRIAL_HEADER, row);
            append(stagesCsv, STAGE_HEADER, new String[] {Integer.toString(k), Integer.toString(trial),
                "train " + backbone + " " + method.label(), fmt(r.seconds())});
            done.put(key, row);
          }
        }
      }
    }
    Table trialsTable = trialsTable(done);
    Table table = summary(trialsTable);
    Path csv = out.resolve("few-shot.csv");
    table.write().csv(csv.toFile());
    Path chart = writeChart(table);
    return new Result(table, trialsTable, stagesTable(stagesCsv), csv, chart, grids);
  }

  private LabeledImages testImages(ImageDataset test) {
    ImageDataset scored =
        test.size() <= testLimit ? test : new ImageDataset(test.classNames(), test.samples().subList(0, testLimit));
    return LabeledImages.of(scored, 32);
  }

  private SyntheticSet synthesize(Split split, int k, int trial, Path runDir, Path stagesCsv) {
    try (StableDiffusion sd = StableDiffusion.load(Embedded.model())) {
      // The paper's split ratios: 0.3 for 5-shot, 0.1 for 10-shot.
      DiffII pipeline = Embedded.diffII(sd, split.train()).splitRatio(k <= 5 ? 0.3 : 0.1).seed(trial);
      diffII.accept(pipeline);
      SyntheticSet set = pipeline.run(split.train(), runDir);
      pipeline.stageSeconds().forEach((stage, s) -> {
        if (s > 0.5) {
          append(stagesCsv, STAGE_HEADER, new String[] {Integer.toString(k), Integer.toString(trial), stage, fmt(s)});
        }
      });
      return set;
    }
  }

  private Path writeGrid(SyntheticSet set, Split split, int k) {
    try {
      return set.besideReal(split.train(), Math.min(k, 5), 8).withScale(2).writePng(out.resolve("synthetic-" + k + "-shot.png"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final String[] TRIAL_HEADER = {"shots", "trial", "backbone", "method", "accuracy", "replaced", "seconds"};
  private static final String[] STAGE_HEADER = {"shots", "trial", "stage", "seconds"};

  private static String key(int k, int trial, String backbone, String method) {
    return k + "," + trial + "," + backbone + "," + method;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.4f", v);
  }

  private static Map<String, String[]> readRows(Path csv) {
    Map<String, String[]> rows = new LinkedHashMap<>();
    for (String[] f : dataRows(csv, TRIAL_HEADER.length)) {
      rows.put(key(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2], f[3]), f);
    }
    return rows;
  }

  /** Returns the rows of a CSV this class wrote that have {@code columns} fields, header left out. */
  private static List<String[]> dataRows(Path csv, int columns) {
    List<String[]> rows = new ArrayList<>();
    if (Files.isRegularFile(csv)) {
      try {
        for (String line : Files.readAllLines(csv)) {
          String[] f = line.split(",");
          if (f.length == columns && !f[0].equals("shots")) {
            rows.add(f);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + csv, e);
      }
    }
    return rows;
  }

  private static void append(Path csv, String[] header, String[] row) {
    try {
      Files.createDirectories(csv.getParent());
      if (!Files.isRegularFile(csv)) {
        Files.writeString(csv, String.join(",", header) + "\n");
      }
      Files.writeString(csv, String.join(",", row) + "\n", StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + csv, e);
    }
  }

  private static Table trialsTable(Map<String, String[]> rows) {
    Table t =
        Table.create(
            "few-shot trials", IntColumn.create("shots"), IntColumn.create("trial"), StringColumn.create("backbone"),
            StringColumn.create("method"), DoubleColumn.create("accuracy"), DoubleColumn.create("replaced"),
            DoubleColumn.create("seconds"));
    for (String[] f : rows.values()) {
      t.intColumn("shots").append(Integer.parseInt(f[0]));
      t.intColumn("trial").append(Integer.parseInt(f[1]));
      t.stringColumn("backbone").append(f[2]);
      t.stringColumn("method").append(f[3]);
      t.doubleColumn("accuracy").append(Double.parseDouble(f[4]));
      t.doubleColumn("replaced").append(Double.parseDouble(f[5]));
      t.doubleColumn("seconds").append(Double.parseDouble(f[6]));
    }
    return t;
  }

  private static Table stagesTable(Path csv) {
    Table t = Table.create("stage times", IntColumn.create("shots"), IntColumn.create("trial"),
        StringColumn.create("stage"), DoubleColumn.create("seconds"));
    for (String[] f : dataRows(csv, STAGE_HEADER.length)) {
      t.intColumn("shots").append(Integer.parseInt(f[0]));
      t.intColumn("trial").append(Integer.parseInt(f[1]));
      t.stringColumn("stage").append(f[2]);
      t.doubleColumn("seconds").append(Double.parseDouble(f[3]));
    }
    return t;
  }

  /** Mean ± sample standard deviation over trials, and the gain of each method's mean over Original. */
  static Table summary(Table trials) {
    Table t = Table.create("Few-shot accuracy (%), embedded Fashion scenes", StringColumn.create("backbone"),
        IntColumn.create("shots"), StringColumn.create("method"), IntColumn.create("trials"),
        DoubleColumn.create("mean"), DoubleColumn.create("std"), DoubleColumn.create("gain"),
        StringColumn.create("accuracy"));
    Map<String, List<Double>> groups = new LinkedHashMap<>();
    for (int i = 0; i < trials.rowCount(); i++) {
      String g = trials.stringColumn("backbone").get(i) + "," + trials.intColumn("shots").get(i) + ","
          + trials.stringColumn("method").get(i);
      groups.computeIfAbsent(g, x -> new ArrayList<>()).add(trials.doubleColumn("accuracy").get(i));
    }
    List<String> keys = new ArrayList<>(groups.keySet());
    keys.sort(java.util.Comparator.comparing((String g) -> g.split(",")[0])
        .thenComparingInt(g -> Integer.parseInt(g.split(",")[1]))
        .thenComparing(g -> g.endsWith("," + Method.ORIGINAL.label()) ? 0 : 1));
    for (String g : keys) {
      String[] f = g.split(",");
      List<Double> v = groups.get(g);
      double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double ss = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
      double std = v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : 0;
      List<Double> base = groups.get(f[0] + "," + f[1] + "," + Method.ORIGINAL.label());
      double gain = base == null ? Double.NaN : mean - base.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      t.stringColumn("backbone").append(f[0]);
      t.intColumn("shots").append(Integer.parseInt(f[1]));
      t.stringColumn("method").append(f[2]);
      t.intColumn("trials").append(v.size());
      t.doubleColumn("mean").append(round2(mean));
      t.doubleColumn("std").append(round2(std));
      t.doubleColumn("gain").append(round2(gain));
      t.stringColumn("accuracy").append(String.format(Locale.ROOT, "%.2f ± %.2f", mean, std));
    }
    return t;
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private Path writeChart(Table table) {
    List<String> categories = new ArrayList<>();
    Map<String, double[]> means = new LinkedHashMap<>();
    Map<String, double[]> stds = new LinkedHashMap<>();
    for (int i = 0; i < table.rowCount(); i++) {
      String c = table.stringColumn("backbone").get(i) + " " + table.intColumn("shots").get(i) + "-shot";
      if (!categories.contains(c)) {
        categories.add(c);
      }
    }
    for (Method m : methods) {
      double[] mean = new double[categories.size()];
      double[] std = new double[categories.size()];
      for (int i = 0; i < table.rowCount(); i++) {
        if (table.stringColumn("method").get(i).equals(m.label())) {
          int c = categories.indexOf(table.stringColumn("backbone").get(i) + " " + table.intColumn("shots").get(i) + "-shot");
          mean[c] = table.doubleColumn("mean").get(i);
          std[c] = table.doubleColumn("std").get(i);
        }
      }
      means.put(m.label(), mean);
      stds.put(m.label(), std);
    }
    CategoryChart chart = Charts.bars("Few-shot accuracy, embedded Fashion scenes", "accuracy (%)", categories, means, stds);
    try {
      return Charts.writePng(chart, out.resolve("few-shot.png"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
