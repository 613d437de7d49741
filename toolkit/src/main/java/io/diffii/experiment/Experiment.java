package io.diffii.experiment;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.diffii.augment.Baseline;
import io.diffii.augment.BaselineSettings;
import io.diffii.augment.Baselines;
import io.diffii.augment.DiffII;
import io.diffii.augment.DiffIISettings;
import io.diffii.augment.SuffixSource;
import io.diffii.augment.SyntheticSet;
import io.diffii.classify.Backbone;
import io.diffii.classify.Classifier;
import io.diffii.classify.FineTune;
import io.diffii.classify.LabeledImages;
import io.diffii.classify.SyntheticPool;
import io.diffii.classify.TrainConfig;
import io.diffii.classify.Trainer;
import io.diffii.data.ImageDataset;
import io.diffii.data.RgbImage;
import io.diffii.data.Split;
import io.diffii.io.Digests;
import io.diffii.metrics.GroupAccuracy;
import io.diffii.model.ResizeCrop;
import io.diffii.model.StableDiffusion;
import io.diffii.notebook.ImageGrid;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The engine every table's runner shares: it measures each row of a {@link Plan} on a {@link
 * Benchmark} and appends it to {@code <out>/rows.csv} as soon as it is measured, with the hash and
 * values of everything that decided it (split, seed, backbone and its weights, training recipe,
 * test limit, and for Diff-II its settings and the model folder's hash) and its provenance (project
 * commit, model folder hash, concept hash, seed).
 *
 * <p>A rerun into the same folder skips exactly the rows whose settings hash is already there; any
 * changed setting makes a new row, and old rows stay in the file as history but never enter this
 * run's tables. The generators' folders are keyed the same way, under {@code
 * <out>/<setting>/trial-<t>/}: {@code diffii-<hash>/} per hash of Diff-II's settings and suffixes,
 * {@code <method>-<hash>/} per baseline and its settings hash, each guarded by its {@code
 * settings.json} against other data, and {@code concepts-<hash>/}, the TI + LoRA concepts learned
 * once per trial (keyed by the concept settings, seed and model) and shared by Diff-II, Diff-AUG
 * and Diff-Mix. Real-Filter on a benchmark without a CLIP filter fails before anything is measured.
 */
public final class Experiment {

  /** The file of measured rows. */
  public static final String ROWS = "rows.csv";

  /** The file of stage wall times. */
  public static final String STAGES = "stages.csv";

  /** The columns of {@link #ROWS}. */
  static final Table ROW_SCHEMA =
      Table.create(
          "rows",
          StringColumn.create("setting"),
          IntColumn.create("trial"),
          LongColumn.create("seed"),
          StringColumn.create("backbone"),
          StringColumn.create("method"),
          DoubleColumn.create("accuracy"),
          DoubleColumn.create("replaced"),
          DoubleColumn.create("seconds"),
          StringColumn.create("settings_hash"),
          StringColumn.create("commit"),
          StringColumn.create("model_hash"),
          StringColumn.create("concept_hash"),
          StringColumn.create("settings"));

  /** The file of per-class test accuracy, one line per class of each measured row. */
  public static final String CLASSES = "classes.csv";

  /** The columns of {@link #CLASSES}. */
  static final Table CLASS_SCHEMA =
      Table.create(
          "classes",
          StringColumn.create("setting"),
          IntColumn.create("trial"),
          StringColumn.create("backbone"),
          StringColumn.create("method"),
          IntColumn.create("label"),
          StringColumn.create("class"),
          IntColumn.create("train_images"),
          DoubleColumn.create("accuracy"),
          StringColumn.create("settings_hash"));

  /**
   * The file of per-group test accuracy ({@link Plan#testGroup()}), one line per group of each
   * measured row.
   */
  public static final String GROUPS = "groups.csv";

  /** The columns of {@link #GROUPS}. */
  static final Table GROUP_SCHEMA =
      Table.create(
          "groups",
          StringColumn.create("setting"),
          IntColumn.create("trial"),
          StringColumn.create("backbone"),
          StringColumn.create("method"),
          StringColumn.create("group"),
          IntColumn.create("images"),
          DoubleColumn.create("accuracy"),
          StringColumn.create("settings_hash"));

  /** The columns of {@link Result#synthetic()}. */
  static final Table SYNTHETIC_SCHEMA =
      Table.create(
          "synthetic",
          StringColumn.create("setting"),
          IntColumn.create("trial"),
          StringColumn.create("method"),
          StringColumn.create("folder"));

  /** The columns of {@link #STAGES}. */
  static final Table STAGE_SCHEMA =
      Table.create(
          "stages",
          StringColumn.create("setting"),
          IntColumn.create("trial"),
          StringColumn.create("stage"),
          DoubleColumn.create("seconds"),
          StringColumn.create("settings_hash"));

  private final Benchmark benchmark;
  private final Plan plan;
  private final Path out;
  private final CsvLog rowLog;
  private final CsvLog stageLog;
  private final CsvLog classLog;
  private final CsvLog groupLog;
  private final String commit;
  private final String modelHash;
  private final Map<Backbone, String> backboneHashes = new HashMap<>();
  private final Map<Backbone, ResizeCrop> transforms = new HashMap<>();
  private final Map<Integer, JsonObject> filterSettings = new HashMap<>();

  private Experiment(Benchmark benchmark, Plan plan, Path out) {
    this.benchmark = benchmark;
    this.plan = plan;
    this.out = out;
    this.rowLog = new CsvLog(out.resolve(ROWS), ROW_SCHEMA);
    this.stageLog = new CsvLog(out.resolve(STAGES), STAGE_SCHEMA);
    this.classLog = new CsvLog(out.resolve(CLASSES), CLASS_SCHEMA);
    this.groupLog = new CsvLog(out.resolve(GROUPS), GROUP_SCHEMA);
    this.commit = commit();
    if (plan.methods().contains(Method.REAL_FILTER)) {
      if (benchmark.realFilter() == null) {
        throw new IllegalArgumentException(
            "Real-Filter needs a CLIP model: benchmark '"
                + benchmark.name()
                + "' has no CLIP filter (give its Benchmark a ClipFilter)");
      }
      benchmark.realFilter().requireModel();
    }
    for (Method m : plan.methods()) {
      for (Backbone b : plan.backbones()) {
        if (m.reweights() && plan.recipe().apply(b).longTail() == null) {
          throw new IllegalArgumentException(
              m.label() + " re-weights on the long-tail schedule: use a long-tail recipe");
        }
      }
    }
    this.modelHash =
        plan.methods().stream().anyMatch(Method::synthetic)
            ? Digests.ofFolder(benchmark.model())
            : "";
  }

  /**
   * Measures every row of {@code plan} on {@code benchmark} not yet in {@code out}, and returns the
   * tables.
   */
  public static Result run(Benchmark benchmark, Plan plan, Path out) {
    return new Experiment(benchmark, plan, out).run();
  }

  /** The shared state of one (setting, trial): its split, and what is made from it when needed. */
  private final class Trial {
    final Plan.Row first;
    final Split split;
    final DiffIISettings diffII;
    final BaselineSettings baseline;
    final Path trialDir;
    final Path conceptDir;
    SuffixSource suffixes;
    final Map<ResizeCrop, LabeledImages> train = new HashMap<>();
    ImageDataset testSet;
    final Map<ResizeCrop, LabeledImages> test = new HashMap<>();
    SyntheticSet synthetic;
    final Map<Baseline, SyntheticSet> baselines = new EnumMap<>(Baseline.class);

    Trial(Plan.Row row) {
      first = row;
      split = row.setting().split().apply(row.seed());
      diffII =
          plan.diffII()
              .apply(row.setting().diffII().apply(benchmark.diffII()))
              .withSeed(row.seed());
      baseline = row.setting().baseline().apply(BaselineSettings.of(diffII));
      trialDir = out.resolve(row.setting().label()).resolve("trial-" + row.trial());
      JsonObject concept = new Gson().toJsonTree(diffII.concept()).getAsJsonObject();
      concept.addProperty("seed", diffII.seed());
      concept.addProperty("model_hash", modelHash);
      conceptDir = trialDir.resolve("concepts-" + Digests.of(concept.toString()).substring(0, 12));
    }

    /** Returns the first denoising stage's suffixes of the trial's shots (captioned once). */
    SuffixSource suffixes() {
      if (suffixes == null) {
        suffixes = benchmark.suffixes().apply(split.train());
      }
      return suffixes;
    }

    /**
     * Returns Diff-II's folder, named by the hash of its settings and the suffixes (another
     * captioner's suffixes make another folder).
     */
    Path diffIIDir() {
      String key = Digests.of(diffII.hash() + "|" + String.join("|", suffixes().suffixes()));
      return trialDir.resolve("diffii-" + key.substring(0, 12));
    }

    /**
     * Returns the folder of a baseline's run: its label and the hash of its settings (Real-Filter's
     * with its filter's).
     */
    Path baselineDir(Baseline b) {
      String slug = b.label().toLowerCase(Locale.ROOT);
      String key = slug + baseline.hash();
      if (b == Baseline.REAL_FILTER) {
        key += filterJson(split.train().classNames().size());
      }
      return trialDir.resolve(slug + "-" + Digests.of(key).substring(0, 12));
    }

    /** Returns the synthetic folder a method's row trains with, or null (no synthetic images). */
    Path syntheticDir(Method m) {
      if (m == Method.DIFF_II) {
        return diffIIDir().resolve("synthetic");
      }
      return m.baseline() == null ? null : baselineDir(m.baseline()).resolve("synthetic");
    }

    /** Returns the concept folder a method's row used, or null. */
    Path conceptsOf(Method m) {
      if (m == Method.DIFF_II) {
        return diffII.concept().enabled() ? conceptDir : null;
      }
      if (m.baseline() == null) {
        return null;
      }
      return switch (m.baseline().prompt()) {
        case CONCEPT -> conceptDir;
        case TEXTUAL_INVERSION -> baselineDir(m.baseline()).resolve("concepts");
        case CLASS_NAME -> null;
      };
    }

    SyntheticSet baseline(Baseline b) {
      if (!baselines.containsKey(b)) {
        try (StableDiffusion sd = StableDiffusion.load(benchmark.model())) {
          Baselines runner =
              Baselines.on(sd)
                  .metaclass(benchmark.metaclass())
                  .settings(baseline)
                  .concepts(conceptDir);
          if (benchmark.realFilter() != null) {
            runner.filter(benchmark.realFilter());
          }
          baselines.put(b, runner.run(b, split.train(), baselineDir(b)));
          Table stages = STAGE_SCHEMA.emptyCopy();
          runner
              .stageSeconds()
              .forEach(
                  (stage, s) -> {
                    if (s > 0.5) {
                      appendStage(stages, b.label() + " " + stage, s, baseline.hash());
                    }
                  });
          stageLog.append(stages);
        }
      }
      return baselines.get(b);
    }

    SyntheticSet synthetic() {
      if (synthetic == null) {
        ImageDataset shots = split.train();
        try (StableDiffusion sd = StableDiffusion.load(benchmark.model())) {
          DiffII pipeline =
              DiffII.on(sd)
                  .metaclass(benchmark.metaclass())
                  .suffixes(suffixes())
                  .settings(diffII)
                  .concepts(conceptDir);
          synthetic = pipeline.run(shots, diffIIDir());
          Table stages = STAGE_SCHEMA.emptyCopy();
          // A resumed stage takes well under a second; only stages that ran are timed.
          pipeline
              .stageSeconds()
              .forEach(
                  (stage, s) -> {
                    if (s > 0.5) {
                      appendStage(stages, stage, s, diffII.hash());
                    }
                  });
          stageLog.append(stages);
        }
      }
      return synthetic;
    }

    /** Returns the training images as {@code transform} brings them to a classifier. */
    LabeledImages train(ResizeCrop transform) {
      return train.computeIfAbsent(transform, t -> LabeledImages.of(split.train(), t));
    }

    /** Returns the (limited) test images as {@code transform} brings them to a classifier. */
    LabeledImages test(ResizeCrop transform) {
      if (testSet == null) {
        ImageDataset all = split.test();
        testSet =
            all.size() <= plan.testLimit()
                ? all
                : new ImageDataset(all.classNames(), all.samples().subList(0, plan.testLimit()));
      }
      return test.computeIfAbsent(transform, t -> LabeledImages.of(testSet, t));
    }

    void appendStage(Table stages, String stage, double seconds, String hash) {
      stages.stringColumn("setting").append(first.setting().label());
      stages.intColumn("trial").append(first.trial());
      stages.stringColumn("stage").append(stage);
      stages.doubleColumn("seconds").append(seconds);
      stages.stringColumn("settings_hash").append(hash);
    }
  }

  private Result run() {
    Table done = rowLog.read();
    Table rows = ROW_SCHEMA.emptyCopy();
    List<String> stageHashes = new java.util.ArrayList<>();
    Map<String, ImageGrid> grids = new LinkedHashMap<>();
    Table syntheticDirs = SYNTHETIC_SCHEMA.emptyCopy();
    Map<String, ImageDataset> firstShots = new LinkedHashMap<>();
    Trial trial = null;
    for (Plan.Row row : plan.rows()) {
      if (trial == null
          || !trial.first.setting().equals(row.setting())
          || trial.first.trial() != row.trial()) {
        trial = new Trial(row);
        if (row.trial() == 0) {
          firstShots.put(row.setting().label(), trial.split.train());
        }
        if (row.trial() == 0 && plan.methods().contains(Method.DIFF_II)) {
          int[] counts = trial.split.train().classCounts();
          int real = Math.min(5, java.util.Arrays.stream(counts).max().orElse(1));
          // Rarest classes first (a stable sort: equal classes keep their label order).
          List<Integer> rarestFirst =
              java.util.stream.IntStream.range(0, counts.length)
                  .boxed()
                  .sorted(java.util.Comparator.comparingInt(c -> counts[c]))
                  .toList();
          grids.put(
              row.setting().label(),
              trial.synthetic().besideReal(trial.split.train(), real, 8, rarestFirst).withScale(2));
        }
      }
      TrainConfig config =
          plan.recipe().apply(row.backbone()).withSeed(row.seed()).withMix(row.method().mix());
      if (!row.method().synthetic()) {
        config = config.withReplacementProbability(0);
      }
      if (row.method().reweights()) {
        config = config.withLongTail(new TrainConfig.LongTail(true));
      }
      JsonObject settings = settings(row, trial, config);
      String hash = Digests.of(settings.toString());
      stageHashes.add(hash);
      if (row.method() == Method.DIFF_II) {
        stageHashes.add(trial.diffII.hash());
      }
      if (row.method().baseline() != null) {
        stageHashes.add(trial.baseline.hash());
      }
      Path made = trial.syntheticDir(row.method());
      if (made != null && !syntheticDirs.stringColumn("folder").contains(made.toString())) {
        syntheticDirs.stringColumn("setting").append(row.setting().label());
        syntheticDirs.intColumn("trial").append(row.trial());
        syntheticDirs.stringColumn("method").append(row.method().label());
        syntheticDirs.stringColumn("folder").append(made.toString());
      }
      Table previous = done.where(done.stringColumn("settings_hash").isEqualTo(hash));
      if (previous.rowCount() > 0) {
        rows.append(previous.first(1));
        continue;
      }
      ResizeCrop transform = transform(row.backbone());
      SyntheticPool synthetic = SyntheticPool.empty();
      if (row.method() == Method.DIFF_II) {
        synthetic = pool(trial.synthetic(), transform);
      } else if (row.method().baseline() != null) {
        synthetic = pool(trial.baseline(row.method().baseline()), transform);
      }
      Path concepts = trial.conceptsOf(row.method());
      // A killed run resumes this row's fine-tuning from its last epoch.
      Path checkpoint =
          out.resolve(row.setting().label())
              .resolve("trial-" + row.trial())
              .resolve("train-" + hash.substring(0, 12) + ".safetensors");
      Trainer.Result r =
          FineTune.run(
              benchmark.backbones().apply(row.backbone()),
              trial.split.train().classNames().size(),
              trial.train(transform),
              synthetic,
              trial.test(transform),
              config,
              checkpoint);
      System.out.printf(
          Locale.ROOT,
          "%s trial %d (seed %d) %s %s: %s%n",
          row.setting().label(),
          row.trial(),
          row.seed(),
          row.backbone().id(),
          row.method().label(),
          r);
      if (plan.testGroup() != null) {
        // Before the row: a run killed between the two measures the row again.
        groupLog.append(groupRows(row, trial, r.predictions(), hash));
      }
      Table measured = ROW_SCHEMA.emptyCopy();
      measured.stringColumn("setting").append(row.setting().label());
      measured.intColumn("trial").append(row.trial());
      measured.longColumn("seed").append(row.seed());
      measured.stringColumn("backbone").append(row.backbone().id());
      measured.stringColumn("method").append(row.method().label());
      measured.doubleColumn("accuracy").append(100 * r.accuracy());
      measured.doubleColumn("replaced").append(r.replacedFraction());
      measured.doubleColumn("seconds").append(r.seconds());
      measured.stringColumn("settings_hash").append(hash);
      measured.stringColumn("commit").append(commit);
      measured.stringColumn("model_hash").append(modelHash);
      measured
          .stringColumn("concept_hash")
          .append(concepts == null ? "" : Digests.ofFolder(concepts));
      measured.stringColumn("settings").append(settings.toString());
      rowLog.append(measured);
      classLog.append(classRows(row, trial.split.train(), r.perClassAccuracy(), hash));
      delete(checkpoint);
      Table stage = STAGE_SCHEMA.emptyCopy();
      trial.appendStage(
          stage, "train " + row.backbone().id() + " " + row.method().label(), r.seconds(), hash);
      stageLog.append(stage);
      rows.append(measured);
    }
    firstShots.forEach(
        (setting, shots) -> {
          ImageGrid methods = methodsOfOneClass(setting, shots, syntheticDirs);
          if (methods != null) {
            grids.put("methods-" + setting, methods);
          }
        });
    Table stages = stageLog.read();
    stages = stages.where(stages.stringColumn("settings_hash").isIn(stageHashes));
    Table classes = classLog.read();
    classes =
        classes.where(
            classes.stringColumn("settings_hash").isIn(rows.stringColumn("settings_hash")));
    Table groups = groupLog.read();
    groups =
        lastPerGroup(
            groups.where(
                groups.stringColumn("settings_hash").isIn(rows.stringColumn("settings_hash"))));
    return Result.of(
        plan.name() + ", " + benchmark.name(), rows, stages, classes, groups, grids, syntheticDirs);
  }

  /**
   * Returns, for the rarest class of trial 0's {@code shots} (the first class when all are equal),
   * one row of its real shots and one row of each synthetic method's first images of that class, so
   * methods compare on the same class; null when fewer than two methods made images.
   */
  private static ImageGrid methodsOfOneClass(String setting, ImageDataset shots, Table folders) {
    Table of =
        folders.where(
            folders
                .stringColumn("setting")
                .isEqualTo(setting)
                .and(folders.intColumn("trial").isEqualTo(0)));
    if (of.rowCount() < 2) {
      return null;
    }
    int[] counts = shots.classCounts();
    int label = 0;
    for (int c = 1; c < counts.length; c++) {
      label = counts[c] < counts[label] ? c : label;
    }
    int n = 8;
    List<List<BufferedImage>> rows = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    List<BufferedImage> real = new ArrayList<>();
    for (int i = 0; i < shots.size() && real.size() < n; i++) {
      if (shots.label(i) == label) {
        real.add(shots.image(i).toBufferedImage());
      }
    }
    rows.add(real);
    labels.add("real " + shots.classNames().get(label));
    for (int r = 0; r < of.rowCount(); r++) {
      SyntheticSet set =
          SyntheticSet.read(Path.of(of.stringColumn("folder").get(r)), shots.classNames());
      List<BufferedImage> made =
          set.imagesOf(label, n).stream().map(RgbImage::toBufferedImage).toList();
      // Real-Filter may have dropped every image of the class.
      if (!made.isEmpty()) {
        rows.add(made);
        labels.add(of.stringColumn("method").get(r));
      }
    }
    return ImageGrid.of(rows).withRowLabels(labels).withScale(2);
  }

  /** Returns one row of {@link #GROUP_SCHEMA} per test group of a measured row. */
  private Table groupRows(Plan.Row row, Trial trial, int[] predictions, String hash) {
    GroupAccuracy g =
        GroupAccuracy.of(
            trial.test(transform(row.backbone())).labels(),
            predictions,
            trial.testSet.samples().stream().map(plan.testGroup()).toList());
    Table t = GROUP_SCHEMA.emptyCopy();
    for (String group : g.counts().keySet()) {
      t.stringColumn("setting").append(row.setting().label());
      t.intColumn("trial").append(row.trial());
      t.stringColumn("backbone").append(row.backbone().id());
      t.stringColumn("method").append(row.method().label());
      t.stringColumn("group").append(group);
      t.intColumn("images").append(g.counts().get(group));
      t.doubleColumn("accuracy").append(100 * g.accuracy().get(group));
      t.stringColumn("settings_hash").append(hash);
    }
    return t;
  }

  /**
   * Returns the last line of each (settings hash, group) of {@code groups}: a row measured again
   * after a killed run has its groups twice.
   */
  private static Table lastPerGroup(Table groups) {
    Map<String, Integer> last = new LinkedHashMap<>();
    for (int i = 0; i < groups.rowCount(); i++) {
      last.put(
          groups.stringColumn("settings_hash").get(i) + "|" + groups.stringColumn("group").get(i),
          i);
    }
    Table kept = groups.emptyCopy();
    last.values().stream().sorted().forEach(i -> kept.append(groups.row(i)));
    return kept;
  }

  /** Returns one row of {@link #CLASS_SCHEMA} per class of a measured row. */
  private static Table classRows(Plan.Row row, ImageDataset train, double[] perClass, String hash) {
    Table t = CLASS_SCHEMA.emptyCopy();
    int[] counts = train.classCounts();
    for (int c = 0; c < perClass.length; c++) {
      t.stringColumn("setting").append(row.setting().label());
      t.intColumn("trial").append(row.trial());
      t.stringColumn("backbone").append(row.backbone().id());
      t.stringColumn("method").append(row.method().label());
      t.intColumn("label").append(c);
      t.stringColumn("class").append(train.classNames().get(c));
      t.intColumn("train_images").append(counts[c]);
      t.doubleColumn("accuracy").append(100 * perClass[c]);
      t.stringColumn("settings_hash").append(hash);
    }
    return t;
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }

  /** Everything that decides a row's measurement, as JSON (its hash is the row's key). */
  private JsonObject settings(Plan.Row row, Trial trial, TrainConfig config) {
    Gson gson = new Gson();
    JsonObject s = new JsonObject();
    s.addProperty("benchmark", benchmark.name());
    s.addProperty("setting", row.setting().label());
    s.addProperty("trial", row.trial());
    s.addProperty("seed", row.seed());
    s.addProperty(
        "train_images",
        Digests.of(
            String.join(
                "|",
                trial.split.train().samples().stream()
                    .map(x -> x.id() + ":" + x.label())
                    .toList())));
    s.addProperty("test_limit", plan.testLimit());
    if (plan.testGroup() != null) {
      s.addProperty("test_groups", true);
    }
    s.addProperty("image_size", benchmark.imageSize());
    s.addProperty("backbone", row.backbone().id());
    s.addProperty(
        "backbone_hash",
        backboneHashes.computeIfAbsent(
            row.backbone(), b -> Digests.ofFolder(benchmark.backbones().apply(b))));
    s.addProperty("method", row.method().label());
    s.add("train", gson.toJsonTree(config));
    if (row.method() == Method.DIFF_II) {
      s.add("diff_ii", trial.diffII.toJson());
      s.addProperty("suffixes", String.join("|", trial.suffixes().suffixes()));
      s.addProperty("model_hash", modelHash);
    }
    if (row.method().baseline() != null) {
      s.add("baseline", trial.baseline.toJson());
      s.addProperty("model_hash", modelHash);
    }
    if (row.method() == Method.REAL_FILTER) {
      s.add("filter", filterJson(trial.split.train().classNames().size()));
    }
    return s;
  }

  /**
   * Returns how a backbone takes its images, real and synthetic alike ({@link Classifier#transform}
   * of its saved folder), once per backbone; a backbone that does not crop to the benchmark's image
   * size is an error.
   */
  private ResizeCrop transform(Backbone backbone) {
    return transforms.computeIfAbsent(
        backbone,
        b -> {
          Path dir = benchmark.backbones().apply(b);
          ResizeCrop t = Classifier.transformOf(dir);
          if (t.crop() != benchmark.imageSize()) {
            throw new IllegalArgumentException(
                "backbone "
                    + dir
                    + " takes "
                    + t.outputShape()
                    + " images, benchmark "
                    + benchmark.name()
                    + " says 3x"
                    + benchmark.imageSize()
                    + "x"
                    + benchmark.imageSize());
          }
          return t;
        });
  }

  /** Returns the Real-Filter settings for {@code classes} classes, computed once. */
  private JsonObject filterJson(int classes) {
    return filterSettings.computeIfAbsent(classes, benchmark.realFilter()::toJson);
  }

  /**
   * Returns a synthetic set as the trainer's pool: each image under its manifest label, read from
   * disk when drawn and brought to the classifier by {@code transform} as the real images are, with
   * its soft label when it has one, through a cache of {@link SyntheticPool#defaultCacheBytes()}.
   */
  static SyntheticPool pool(SyntheticSet set, ResizeCrop transform) {
    return pool(set, transform, SyntheticPool.defaultCacheBytes());
  }

  /** As {@link #pool(SyntheticSet, ResizeCrop)} with a cache of {@code cacheBytes}. */
  static SyntheticPool pool(SyntheticSet set, ResizeCrop transform, long cacheBytes) {
    List<Integer> labels = new ArrayList<>();
    set.records().forEach(r -> labels.add(r.get("label").getAsInt()));
    return SyntheticPool.streamed(
        labels,
        i -> new SyntheticPool.Image(transform.apply(set.image(i)).data(), set.softLabel(i)),
        cacheBytes,
        transform.crop(),
        transform.crop());
  }

  /** Returns the project's git commit, or "unknown" outside a git checkout. */
  private static String commit() {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      String head = new String(p.getInputStream().readAllBytes()).strip();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? head : "unknown";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
