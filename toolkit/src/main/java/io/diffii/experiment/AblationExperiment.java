package io.diffii.experiment;

import io.diffii.augment.DiffIISettings;
import io.diffii.augment.Interpolation;
import io.diffii.augment.SyntheticSet;
import io.diffii.classify.Backbone;
import io.diffii.classify.FineTune;
import io.diffii.classify.TrainConfig;
import io.diffii.io.Digests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Table 4 and Figure 7: Diff-II with its components switched on and off (or its split ratio swept),
 * k-shot, one backbone, several trials, with the synthetic set's own measures ({@link SetMeasure}:
 * diversity, CLIP score) beside the classifier's accuracy.
 *
 * <pre>{@code
 * AblationResult t4 = Embedded.ablation().variants(AblationExperiment.table4()).trials(3).run();
 * AblationResult f7 = Embedded.ablation().variants(AblationExperiment.splitRatios()).trials(3).run();
 * }</pre>
 *
 * <p>Each variant is one {@link FewShotExperiment} run into the same output folder, so the
 * framework's resumption holds: every variant of a trial shares its split, its concepts ({@code
 * concepts-HASH/}, learned once) and the Original row; each variant's Diff-II folder and row are
 * keyed by its settings, so a variant two sweeps share (Table 4's full Diff-II and Figure 7's s =
 * 0.3) is measured once. The set measures are cached in {@code measures.csv} by folder and manifest
 * digest.
 */
public final class AblationExperiment {

  /** The file of cached set measures. */
  public static final String MEASURES = "measures.csv";

  private static final Table MEASURE_SCHEMA =
      Table.create(
          "measures",
          StringColumn.create("folder"),
          StringColumn.create("manifest"),
          StringColumn.create("measure"),
          DoubleColumn.create("value"));

  /**
   * One row of an ablation: its label, the components it has, and how it changes Diff-II's
   * settings.
   *
   * @param label names the row in tables and charts ("CL+SI")
   * @param description says what the row runs ("random circle, one-stage")
   * @param x the row's value on a swept axis (Figure 7's s), NaN for Table 4's rows
   * @param change applied to Diff-II's settings after the benchmark's and the setting's
   */
  public record Variant(
      String label, String description, double x, UnaryOperator<DiffIISettings> change) {}

  /**
   * Returns Table 4's rows in the paper's order: random noise with the templated class-name prompt
   * ("a photo of a {class name} {metaclass}": the class's name, no context); then with concept
   * learning (CL): noise, linear interpolation (LI), spherical interpolation (SI), spherical
   * extrapolation (SE), the random circle (SI+SE) without two-stage denoising, noise with two-stage
   * denoising (TD), and Diff-II (CL+SI+SE+TD).
   */
  public static List<Variant> table4() {
    return List.of(
        variant(
            "Class prompt", "Gaussian noise, class-name prompt", false, Interpolation.NOISE, false),
        variant("CL", "Gaussian noise, concept prompt", true, Interpolation.NOISE, false),
        variant("CL+LI", "linear interpolation of inversions", true, Interpolation.LINEAR, false),
        variant("CL+SI", "spherical interpolation", true, Interpolation.SPHERICAL, false),
        variant("CL+SE", "spherical extrapolation", true, Interpolation.EXTRAPOLATION, false),
        variant("CL+SI+SE", "random circle, one-stage", true, Interpolation.CIRCLE, false),
        variant("CL+TD", "Gaussian noise, two-stage", true, Interpolation.NOISE, true),
        variant(
            "CL+SI+SE+TD", "Diff-II: random circle, two-stage", true, Interpolation.CIRCLE, true));
  }

  private static Variant variant(
      String label, String description, boolean concepts, Interpolation mode, boolean twoStage) {
    return new Variant(
        label,
        description,
        Double.NaN,
        d ->
            d.withConcept(d.concept().withEnabled(concepts))
                .withInversion(d.inversion().withInterpolation(mode))
                .withSampling(d.sampling().withTwoStage(twoStage)));
  }

  /** Returns Figure 7's sweep: full Diff-II at s = 0, 0.1, …, 1.0. */
  public static List<Variant> splitRatios() {
    double[] s = new double[11];
    for (int i = 0; i <= 10; i++) {
      s[i] = i / 10.0;
    }
    return splitRatios(s);
  }

  /** Returns full Diff-II at each split ratio of {@code s}, labelled "s=0.3". */
  public static List<Variant> splitRatios(double... s) {
    List<Variant> out = new ArrayList<>();
    for (double r : s) {
      out.add(
          new Variant(
              String.format(Locale.ROOT, "s=%.2f", r).replaceAll("0+$", "").replaceAll("\\.$", ""),
              "Diff-II, split ratio " + r,
              r,
              d -> d.withSampling(d.sampling().withSplitRatio(r))));
    }
    return out;
  }

  private final Benchmark benchmark;
  private final FewShotExperiment.Splits splits;
  private List<Variant> variants = table4();
  private List<SetMeasure> measures = List.of();
  private int shots = 5;
  private int trials = 3;
  private long seed;
  private Backbone backbone = Backbone.RESNET;
  private Path out = Path.of("runs/ablation");
  private UnaryOperator<DiffIISettings> diffII = UnaryOperator.identity();
  private java.util.function.Function<Backbone, TrainConfig> recipe = FineTune::fewShotRecipe;
  private int testLimit = Integer.MAX_VALUE;

  private AblationExperiment(Benchmark benchmark, FewShotExperiment.Splits splits) {
    this.benchmark = benchmark;
    this.splits = splits;
  }

  /** Starts an ablation on {@code benchmark} with its few-shot {@code splits}. */
  public static AblationExperiment on(Benchmark benchmark, FewShotExperiment.Splits splits) {
    return new AblationExperiment(benchmark, splits);
  }

  /** Sets the rows (default {@link #table4()}). */
  public AblationExperiment variants(List<Variant> v) {
    if (v.isEmpty()) {
      throw new IllegalArgumentException("an ablation needs at least one variant");
    }
    this.variants = List.copyOf(v);
    return this;
  }

  /** Sets the measures of each synthetic set (default none). */
  public AblationExperiment measures(List<SetMeasure> m) {
    this.measures = List.copyOf(m);
    return this;
  }

  /** Sets the shots per class (default 5, as the paper's ablations). */
  public AblationExperiment shots(int k) {
    this.shots = k;
    return this;
  }

  /** Sets the number of trials (default 3). */
  public AblationExperiment trials(int n) {
    this.trials = n;
    return this;
  }

  /** Sets the first trial's seed (default 0). */
  public AblationExperiment seed(long s) {
    this.seed = s;
    return this;
  }

  /** Sets the backbone (default ResNet, as the paper's ablations). */
  public AblationExperiment backbone(Backbone b) {
    this.backbone = b;
    return this;
  }

  /** Sets the output folder (default runs/ablation). */
  public AblationExperiment out(Path dir) {
    this.out = dir;
    return this;
  }

  /** Adjusts Diff-II's settings before each variant's change (e.g. fewer concept steps). */
  public AblationExperiment diffII(UnaryOperator<DiffIISettings> change) {
    this.diffII = change;
    return this;
  }

  /** Sets the fine-tuning recipe (default {@link FineTune#fewShotRecipe}). */
  public AblationExperiment recipe(java.util.function.Function<Backbone, TrainConfig> r) {
    this.recipe = r;
    return this;
  }

  /** Scores the first {@code n} test images only (default all). */
  public AblationExperiment testLimit(int n) {
    this.testLimit = n;
    return this;
  }

  /**
   * Measures every variant (Original once, beside the first), resuming what an earlier run into the
   * same folder finished, and returns the rows with their set measures and the summary.
   */
  public AblationResult run() {
    CsvLog cache = new CsvLog(out.resolve(MEASURES), MEASURE_SCHEMA);
    List<String> classNames = splits.of(shots, seed).train().classNames();
    Table rows = rowSchema();
    Table stages = Experiment.STAGE_SCHEMA.emptyCopy();
    for (int v = 0; v < variants.size(); v++) {
      Variant variant = variants.get(v);
      Result r =
          FewShotExperiment.on(benchmark, splits)
              .shots(shots)
              .backbones(backbone)
              .trials(trials)
              .seed(seed)
              .methods(
                  v == 0
                      ? new Method[] {Method.ORIGINAL, Method.DIFF_II}
                      : new Method[] {Method.DIFF_II})
              .out(out)
              .recipe(recipe)
              .testLimit(testLimit)
              .diffII(d -> variant.change().apply(diffII.apply(d)))
              .run();
      stages.append(r.stages());
      for (int i = 0; i < r.rows().rowCount(); i++) {
        boolean original = r.rows().stringColumn("method").get(i).equals(Method.ORIGINAL.label());
        int trial = r.rows().intColumn("trial").get(i);
        rows.stringColumn("variant").append(original ? Method.ORIGINAL.label() : variant.label());
        rows.stringColumn("description")
            .append(original ? "real shots only" : variant.description());
        rows.doubleColumn("x").append(original ? Double.NaN : variant.x());
        rows.intColumn("trial").append(trial);
        rows.longColumn("seed").append(r.rows().longColumn("seed").get(i));
        rows.doubleColumn("accuracy").append(r.rows().doubleColumn("accuracy").get(i));
        Path folder = original ? null : folder(r, trial);
        for (SetMeasure m : measures) {
          rows.doubleColumn(m.name())
              .append(folder == null ? Double.NaN : measure(cache, m, folder, classNames));
        }
        rows.stringColumn("folder").append(folder == null ? "" : folder.toString());
        rows.stringColumn("settings_hash").append(r.rows().stringColumn("settings_hash").get(i));
      }
    }
    return AblationResult.of(
        String.format(Locale.ROOT, "%d-shot, %s, %s", shots, backbone.id(), benchmark.name()),
        rows,
        stages.dropDuplicateRows(),
        measures);
  }

  private Table rowSchema() {
    Table t =
        Table.create(
            "ablation rows",
            StringColumn.create("variant"),
            StringColumn.create("description"),
            DoubleColumn.create("x"),
            tech.tablesaw.api.IntColumn.create("trial"),
            tech.tablesaw.api.LongColumn.create("seed"),
            DoubleColumn.create("accuracy"));
    for (SetMeasure m : measures) {
      t.addColumns(DoubleColumn.create(m.name()));
    }
    return t.addColumns(StringColumn.create("folder"), StringColumn.create("settings_hash"));
  }

  private static Path folder(Result r, int trial) {
    Table s = r.synthetic();
    for (int i = 0; i < s.rowCount(); i++) {
      if (s.intColumn("trial").get(i) == trial
          && s.stringColumn("method").get(i).equals(Method.DIFF_II.label())) {
        return Path.of(s.stringColumn("folder").get(i));
      }
    }
    throw new IllegalStateException("no Diff-II folder for trial " + trial);
  }

  /** Returns the cached measure of the set in {@code folder}, measuring and caching it if new. */
  private double measure(CsvLog cache, SetMeasure m, Path folder, List<String> classNames) {
    String manifest;
    try {
      manifest = Digests.of(Files.readString(folder.resolve(io.diffii.augment.DiffII.MANIFEST)));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read the manifest of " + folder, e);
    }
    Table done = cache.read();
    for (int i = 0; i < done.rowCount(); i++) {
      if (done.stringColumn("folder").get(i).equals(folder.toString())
          && done.stringColumn("manifest").get(i).equals(manifest)
          && done.stringColumn("measure").get(i).equals(m.name())) {
        return done.doubleColumn("value").get(i);
      }
    }
    double value = m.of(SyntheticSet.read(folder, classNames));
    Table row = MEASURE_SCHEMA.emptyCopy();
    row.stringColumn("folder").append(folder.toString());
    row.stringColumn("manifest").append(manifest);
    row.stringColumn("measure").append(m.name());
    row.doubleColumn("value").append(value);
    cache.append(row);
    return value;
  }
}
