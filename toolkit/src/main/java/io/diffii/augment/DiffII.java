package io.diffii.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.diffii.concept.ConceptLearner;
import io.diffii.concept.Concepts;
import io.diffii.data.ImageDataset;
import io.diffii.data.ImageFolder;
import io.diffii.data.RgbImage;
import io.diffii.interpolate.CircleInterpolation;
import io.diffii.invert.InversionPool;
import io.diffii.io.AtomicFiles;
import io.diffii.io.Progress;
import io.diffii.model.StableDiffusion;
import io.diffii.nn.NoGrad;
import io.diffii.pipeline.SdPipeline;
import io.diffii.pipeline.TwoStageSampler;
import io.diffii.schedule.GaussianNoise;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * The Diff-II pipeline (paper Sec. 3): concepts → inversion pools → random circle interpolation
 * over the unordered pairs of a class → two-stage denoising → decoded images, written as an
 * ImageFolder tree with a {@code manifest.jsonl} line per image.
 *
 * <pre>{@code
 * SyntheticSet synthetic =
 *     DiffII.on(sd).metaclass(c -> "bird").suffixes(SuffixSource.fromFile(file))
 *         .settings(DiffIISettings.released().withSeed(1))
 *         .run(train, Path.of("runs/cub-5shot"));
 * }</pre>
 *
 * <p>Every synthetic image is planned before anything is generated: its pair, λ (as a fraction of
 * its arc), suffix and noise seed come from (seed, class, index) alone, and images are generated in
 * fixed batches of that plan (which the pipeline runs in micro-batches of the memory budget, {@link
 * io.diffii.model.MicroBatch}). So the same seed gives the same manifest and the same images, and a
 * run that was stopped resumes to exactly what an uninterrupted run writes, without duplicates or
 * losses. A class with one image cannot interpolate and starts from a Gaussian latent instead
 * (paper Sec. 4.2); a class with no image is an error.
 *
 * <p>The run folder's {@code settings.json} holds the settings, the training images, the prompts'
 * metaclass words and the suffixes, with their hash; every manifest line carries that hash. A run
 * into a folder made from anything else is refused, so no stage ever resumes from another run's
 * concepts, pool or images. Defaults are {@link DiffIISettings#released()}.
 */
public final class DiffII {

  /** The manifest's file name. */
  public static final String MANIFEST = "manifest.jsonl";

  /** The run settings' file name, in the run folder. */
  public static final String SETTINGS = RunFolder.SETTINGS;

  private static final List<String> STAGES = List.of("concepts", "pool", "synthetic");

  private final StableDiffusion sd;
  private IntFunction<String> metaclass = c -> "";
  private SuffixSource suffixes;
  private DiffIISettings settings = DiffIISettings.released();
  private long stopAfter = Long.MAX_VALUE;
  private Path conceptDir;
  private AtomicFiles.Writer.Of<RgbImage> imageWriter = (image, file) -> image.writePng(file);
  private final Map<String, Double> stageSeconds = new java.util.LinkedHashMap<>();

  private DiffII(StableDiffusion sd) {
    this.sd = sd;
  }

  /**
   * Starts a pipeline on {@code sd}; a run applies its concepts to it and restores it at the end,
   * so one loaded model serves several runs.
   */
  public static DiffII on(StableDiffusion sd) {
    return new DiffII(sd);
  }

  /** Sets each class's metaclass word ("bird"), the prompt's last word (default none). */
  public DiffII metaclass(IntFunction<String> wordOfClass) {
    this.metaclass = wordOfClass;
    return this;
  }

  /** Sets the suffixes of the first denoising stage (without them, two-stage denoising is off). */
  public DiffII suffixes(SuffixSource source) {
    this.suffixes = source;
    return this;
  }

  /** Sets every setting (default {@link DiffIISettings#released()}). */
  public DiffII settings(DiffIISettings s) {
    this.settings = java.util.Objects.requireNonNull(s);
    return this;
  }

  /**
   * Sets the folder the concepts are learned into, or read from when it holds them (default: the
   * run folder's {@code concepts/}). A folder shared with Diff-AUG and Diff-Mix, learned once per
   * trial with the same concept settings and seed, gives the three methods the same concepts, as
   * the released code shares Diff-Mix's concept files.
   */
  public DiffII concepts(Path dir) {
    this.conceptDir = java.util.Objects.requireNonNull(dir);
    return this;
  }

  /** Returns the settings. */
  public DiffIISettings settings() {
    return settings;
  }

  /**
   * Stops after this many new images have been written, as an interrupted run would (for tests).
   */
  DiffII stopAfter(long images) {
    this.stopAfter = images;
    return this;
  }

  /** Writes each synthetic image with {@code writer} (tests inject a failing disk). */
  DiffII imageWriter(AtomicFiles.Writer.Of<RgbImage> writer) {
    this.imageWriter = writer;
    return this;
  }

  /** One planned synthetic image. */
  record Item(int label, int index, int a, int b, double u, String suffix, long noiseSeed) {}

  /**
   * Runs every stage for {@code train} under {@code runDir} ({@code concepts/}, {@code pool/},
   * {@code synthetic/}), skipping what earlier runs finished, and returns the synthetic set.
   */
  public SyntheticSet run(ImageDataset train, Path runDir) {
    train.requireEveryClass("Diff-II");
    String hash = checkSettings(runDir, train);
    stageSeconds.clear();
    SdPipeline pipe = new SdPipeline(sd);
    long t = System.nanoTime();
    Concepts concepts = null;
    if (settings.concept().enabled()) {
      ConceptLearner learner =
          settings
              .concept()
              .applyTo(ConceptLearner.on(sd).metaclass(metaclass).seed(settings.seed()));
      Path dir = conceptDir == null ? runDir.resolve("concepts") : conceptDir;
      concepts = learner.learn(train, dir).concepts();
    }
    t = lap("concepts", t);
    // Applied only for inversion and sampling (a null resource is skipped), and removed after;
    // nothing here trains, so autograd records nothing (a notebook cell's thread has it on).
    try (NoGrad off = NoGrad.open();
        Concepts.Applied applied = concepts == null ? null : concepts.applyTo(sd)) {
      IntFunction<String> prompt =
          applied != null
              ? applied::prompt
              : c -> classNamePrompt(train.classNames().get(c), metaclass.apply(c));
      InversionPool pool =
          settings.inversion().interpolation() == Interpolation.NOISE
              ? null
              : InversionPool.build(
                  pipe, train, prompt, runDir.resolve("pool"), settings.inversion().steps());
      t = lap("inversion", t);
      Path out = runDir.resolve("synthetic");
      generate(pipe, train, pool, prompt, out, hash);
      lap("generation", t);
      return SyntheticSet.read(out, train.classNames());
    }
  }

  private long lap(String stage, long since) {
    long now = System.nanoTime();
    stageSeconds.put(stage, (now - since) / 1e9);
    return now;
  }

  /**
   * Returns the seconds each stage of the last {@link #run} took (concepts, inversion, generation).
   */
  public Map<String, Double> stageSeconds() {
    return java.util.Collections.unmodifiableMap(stageSeconds);
  }

  /** The templated class-name prompt used when concepts are off. */
  public static String classNamePrompt(String className, String metaclassWord) {
    String p = "a photo of a " + className.toLowerCase(Locale.ROOT);
    return metaclassWord.isBlank() ? p : p + " " + metaclassWord;
  }

  /** Returns every synthetic image's plan, class by class. */
  List<Item> plan(ImageDataset train) {
    int[] counts = train.classCounts();
    Interpolation interpolation = settings.inversion().interpolation();
    DiffIISettings.Sampling sampling = settings.sampling();
    List<Item> items = new ArrayList<>();
    for (int c = 0; c < counts.length; c++) {
      int n = counts[c];
      for (int j = 0; j < settings.expansion() * n; j++) {
        Random rng = new Random(mix(settings.seed(), c, j));
        int a = -1;
        int b = -1;
        if (n > 1 && interpolation != Interpolation.NOISE) {
          a = rng.nextInt(n);
          b = rng.nextInt(n - 1);
          b += b >= a ? 1 : 0;
        }
        double u = rng.nextDouble();
        String suffix =
            sampling.twoStage() && suffixes != null && sampling.splitRatio() > 0
                ? suffixes.draw(rng)
                : "";
        items.add(new Item(c, j, a, b, u, suffix, rng.nextLong()));
      }
    }
    return items;
  }

  /** Mixes seeds and indices into one well-spread seed (shared with the baselines' draws). */
  static long mix(long... values) {
    long h = 0x9E3779B97F4A7C15L;
    for (long v : values) {
      h = (h ^ v) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    return h;
  }

  private void generate(
      SdPipeline pipe,
      ImageDataset train,
      InversionPool pool,
      IntFunction<String> prompt,
      Path out,
      String hash) {
    Map<String, JsonObject> done = SyntheticSet.readManifest(out, true);
    List<Item> plan = plan(train);
    long missing = plan.stream().filter(i -> !done.containsKey(key(i))).count();
    if (missing == 0) {
      return;
    }
    DiffIISettings.Sampling sampling = settings.sampling();
    TwoStageSampler sampler =
        new TwoStageSampler(
            pipe,
            sampling.steps(),
            sampling.guidance(),
            sampling.twoStage() ? sampling.splitRatio() : 0);
    int batch = sampling.batch();
    Progress progress = new Progress("Diff-II images", plan.size());
    progress.resumed(plan.size() - missing);
    List<List<String>> ids = new ArrayList<>();
    train.classNames().forEach(n -> ids.add(new ArrayList<>()));
    train.samples().forEach(s -> ids.get(s.label()).add(s.id()));
    long written = 0;
    try (NDManager manager = sd.manager().newSubManager()) {
      Map<Integer, List<NDArray>> latents = new HashMap<>();
      for (int from = 0; from < plan.size() && written < stopAfter; from += batch) {
        List<Item> chunk = plan.subList(from, Math.min(plan.size(), from + batch));
        if (chunk.stream().allMatch(i -> done.containsKey(key(i)))) {
          continue;
        }
        try (NDManager scope = manager.newSubManager()) {
          NDList starts = new NDList();
          List<double[]> angles = new ArrayList<>();
          for (Item item : chunk) {
            double[] lt = new double[] {Double.NaN, Double.NaN};
            starts.add(start(scope, pool, latents, manager, item, lt).expandDims(0));
            angles.add(lt);
          }
          List<String> plain = chunk.stream().map(i -> prompt.apply(i.label())).toList();
          List<String> suffix = chunk.stream().map(Item::suffix).toList();
          NDArray decoded = sampler.images(NDArrays.concat(starts), plain, suffix);
          int height = (int) decoded.getShape().get(2);
          int width = (int) decoded.getShape().get(3);
          for (int k = 0; k < chunk.size() && written < stopAfter; k++) {
            Item item = chunk.get(k);
            if (done.containsKey(key(item))) {
              continue;
            }
            float[] chw = decoded.get(k).toFloatArray();
            String file =
                write(
                    out,
                    train.classNames().get(item.label()),
                    item.index(),
                    new RgbImage(height, width, chw),
                    imageWriter);
            JsonObject line =
                line(
                    item,
                    train.classNames().get(item.label()),
                    ids.get(item.label()),
                    angles.get(k),
                    plain.get(k),
                    file,
                    hash);
            append(out, line);
            done.put(key(item), line);
            written++;
            progress.advance(1, train.classNames().get(item.label()));
          }
        }
      }
    }
  }

  /** Makes an item's start latent, filling λ and θ into {@code lambdaTheta}. */
  private NDArray start(
      NDManager scope,
      InversionPool pool,
      Map<Integer, List<NDArray>> cache,
      NDManager cacheManager,
      Item item,
      double[] lambdaTheta) {
    if (item.a() < 0) {
      var cfg = sd.unet().config();
      Shape shape = new Shape(cfg.inChannels(), cfg.sampleSize(), cfg.sampleSize());
      return GaussianNoise.sample(scope, shape, DataType.FLOAT32, new Random(item.noiseSeed()));
    }
    List<NDArray> pooled =
        cache.computeIfAbsent(
            item.label(),
            c -> {
              List<NDArray> list = new ArrayList<>();
              for (int i = 0; i < pool.entries(c).size(); i++) {
                list.add(pool.latent(cacheManager, c, i));
              }
              return list;
            });
    NDArray a = pooled.get(item.a());
    NDArray b = pooled.get(item.b());
    double theta = CircleInterpolation.angle(a, b);
    double lambda;
    NDArray z;
    switch (settings.inversion().interpolation()) {
      case CIRCLE -> {
        CircleInterpolation.Sample s = CircleInterpolation.at(a, b, item.u());
        z = s.z();
        lambda = s.lambda();
      }
      case SPHERICAL -> {
        lambda = item.u();
        z = CircleInterpolation.spherical(a, b, lambda);
      }
      case EXTRAPOLATION -> {
        lambda =
            Math.sin(theta) < CircleInterpolation.DEGENERATE_SIN
                ? 0
                : item.u() * (2 * Math.PI / theta - 1);
        z = CircleInterpolation.extrapolate(a, b, lambda);
      }
      case LINEAR -> {
        lambda = item.u();
        z = CircleInterpolation.linear(a, b, lambda);
      }
      default ->
          throw new IllegalStateException("no pair for " + settings.inversion().interpolation());
    }
    z.attach(scope);
    lambdaTheta[0] = lambda;
    lambdaTheta[1] = theta;
    return z;
  }

  static String key(Item item) {
    return item.label() + "/" + item.index();
  }

  /**
   * Writes a synthetic image atomically as {@code <class folder>/<index>.png} under {@code out}
   * with {@code writer} and returns that relative path.
   */
  static String write(
      Path out,
      String className,
      int index,
      RgbImage image,
      AtomicFiles.Writer.Of<RgbImage> writer) {
    String relative =
        ImageFolder.folderName(className) + "/" + String.format(Locale.ROOT, "%05d.png", index);
    AtomicFiles.write(out.resolve(relative), "synthetic image", tmp -> writer.write(image, tmp));
    return relative;
  }

  private JsonObject line(
      Item item,
      String className,
      List<String> ids,
      double[] lambdaTheta,
      String plain,
      String file,
      String hash) {
    Interpolation interpolation = settings.inversion().interpolation();
    JsonObject o = new JsonObject();
    o.addProperty("class", className);
    o.addProperty("label", item.label());
    o.addProperty("index", item.index());
    var sources = new com.google.gson.JsonArray();
    if (item.a() >= 0) {
      sources.add(ids.get(item.a()));
      sources.add(ids.get(item.b()));
    } else if (interpolation != Interpolation.NOISE) {
      sources.add(ids.get(0));
    }
    o.add("sources", sources);
    o.addProperty(
        "start", item.a() >= 0 ? interpolation.name().toLowerCase(Locale.ROOT) : "gaussian");
    if (item.a() >= 0) {
      o.addProperty("theta", lambdaTheta[1]);
      o.addProperty("lambda", lambdaTheta[0]);
    }
    o.addProperty("prompt", plain);
    o.addProperty("suffix", item.suffix());
    o.addProperty("seed", item.noiseSeed());
    o.addProperty("file", file);
    o.addProperty("settings", hash);
    return o;
  }

  /** Appends one line to the manifest in {@code out}, synced before returning. */
  static void append(Path out, JsonObject line) {
    try {
      Files.writeString(
          out.resolve(MANIFEST),
          new Gson().toJson(line) + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE,
          StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + out.resolve(MANIFEST), e);
    }
  }

  /**
   * Writes the run folder's settings and returns their hash, or checks that a folder an earlier run
   * left was made from the same ones (stage folders without settings are an older run's).
   */
  private String checkSettings(Path runDir, ImageDataset train) {
    JsonObject s = new JsonObject();
    s.add("diff_ii", settings.toJson());
    RunFolder.addTrainingSet(s, train, metaclass);
    s.addProperty("suffixes", suffixes == null ? "" : String.join("|", suffixes.suffixes()));
    return RunFolder.check(runDir, s, STAGES);
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return "DiffII(" + settings + ")";
  }
}
