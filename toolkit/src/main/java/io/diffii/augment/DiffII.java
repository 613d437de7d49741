package io.diffii.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.diffii.concept.ConceptLearner;
import io.diffii.concept.Concepts;
import io.diffii.data.ImageDataset;
import io.diffii.data.ImageFolder;
import io.diffii.data.RgbImage;
import io.diffii.interpolate.CircleInterpolation;
import io.diffii.invert.InversionPool;
import io.diffii.model.StableDiffusion;
import io.diffii.nn.NoGrad;
import io.diffii.pipeline.SdPipeline;
import io.diffii.pipeline.TwoStageSampler;
import io.diffii.schedule.GaussianNoise;
import io.diffii.io.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The Diff-II pipeline (paper Sec. 3): concepts → inversion pools → random circle interpolation
 * over the unordered pairs of a class → two-stage denoising → decoded images, written as an
 * ImageFolder tree with a {@code manifest.jsonl} line per image.
 *
 * <pre>{@code
 * SyntheticSet synthetic =
 *     DiffII.on(sd).metaclass(c -> "bird").suffixes(SuffixSource.fromFile(file)).splitRatio(0.3)
 *         .run(train, Path.of("runs/cub-5shot"));
 * }</pre>
 *
 * <p>Every synthetic image is planned before anything is generated: its pair, λ (as a fraction of
 * its arc), suffix and noise seed come from (seed, class, index) alone, and images are generated
 * in fixed batches of that plan. So the same seed gives the same manifest and the same images,
 * and a run that was stopped resumes to exactly what an uninterrupted run writes, without
 * duplicates or losses. A class with one image cannot interpolate and starts from a Gaussian
 * latent instead (paper Sec. 4.2); a class with no image is an error.
 *
 * <p>Defaults are the released settings (expansion 5, 25 DDIM steps, guidance 7.5, s = 0.3,
 * 50 inversion steps — the released Stable Diffusion runs invert with 200). The ablation switches
 * are {@link #interpolation}, {@link #twoStage} and {@link #concepts}.
 */
public final class DiffII {

  /** How the start latent of a synthetic image is made from a pair of inversions. */
  public enum Interpolation {
    /** Eq. 5: a uniformly random point of the whole circle (Diff-II). */
    CIRCLE,
    /** Eq. 6: the short arc between the two inversions, λ ~ U[0, 1]. */
    SPHERICAL,
    /** Eq. 7: the long arc, λ ~ U[0, 2π/θ − 1]. */
    EXTRAPOLATION,
    /** (1 − λ)·a + λ·b, λ ~ U[0, 1]. */
    LINEAR,
    /** No inversion: a Gaussian latent (the ablation's first row). */
    NOISE
  }

  /** The manifest's file name. */
  public static final String MANIFEST = "manifest.jsonl";

  private final StableDiffusion sd;
  private IntFunction<String> metaclass = c -> "";
  private boolean useConcepts = true;
  private Consumer<ConceptLearner> learnerSettings = l -> {};
  private SuffixSource suffixes;
  private boolean twoStage = true;
  private double splitRatio = 0.3;
  private double guidance = 7.5;
  private int steps = 25;
  private int inversionSteps = 50;
  private int expansion = 5;
  private Interpolation interpolation = Interpolation.CIRCLE;
  private long seed;
  private int batch = 50;
  private long stopAfter = Long.MAX_VALUE;
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

  /** Turns concept learning off: prompts then name the class ("a photo of a t-shirt/top top"). */
  public DiffII concepts(boolean on) {
    this.useConcepts = on;
    return this;
  }

  /** Adjusts the concept learner (steps, rank, lr …) before it runs. */
  public DiffII learner(Consumer<ConceptLearner> settings) {
    this.learnerSettings = settings;
    return this;
  }

  /** Sets the suffixes of the first denoising stage (without them, two-stage denoising is off). */
  public DiffII suffixes(SuffixSource source) {
    this.suffixes = source;
    return this;
  }

  /** Turns two-stage denoising on or off (off: the plain prompt at every step). */
  public DiffII twoStage(boolean on) {
    this.twoStage = on;
    return this;
  }

  /** Sets the split ratio s (default 0.3; the paper's 10-shot runs use 0.1, long-tail 1.0). */
  public DiffII splitRatio(double s) {
    this.splitRatio = s;
    return this;
  }

  /** Sets the classifier-free guidance scale (default 7.5). */
  public DiffII guidance(double g) {
    this.guidance = g;
    return this;
  }

  /** Sets the DDIM sampling steps (default 25). */
  public DiffII steps(int n) {
    this.steps = n;
    return this;
  }

  /** Sets the DDIM inversion steps (default 50; released Stable Diffusion runs use 200). */
  public DiffII inversionSteps(int n) {
    this.inversionSteps = n;
    return this;
  }

  /** Sets the expansion rate: synthetic images per real image of a class (default 5). */
  public DiffII expansion(int rate) {
    this.expansion = rate;
    return this;
  }

  /** Sets how start latents are made (default {@link Interpolation#CIRCLE}). */
  public DiffII interpolation(Interpolation mode) {
    this.interpolation = mode;
    return this;
  }

  /** Sets the seed of every draw. */
  public DiffII seed(long s) {
    this.seed = s;
    return this;
  }

  /** Sets the number of images generated together (default 50). */
  public DiffII batch(int n) {
    this.batch = n;
    return this;
  }

  /** Stops after this many new images have been written, as an interrupted run would (for tests). */
  DiffII stopAfter(long images) {
    this.stopAfter = images;
    return this;
  }

  /** One planned synthetic image. */
  record Item(int label, int index, int a, int b, double u, String suffix, long noiseSeed) {}

  /**
   * Runs every stage for {@code train} under {@code runDir} ({@code concepts/}, {@code pool/},
   * {@code synthetic/}), skipping what earlier runs finished, and returns the synthetic set.
   */
  public SyntheticSet run(ImageDataset train, Path runDir) {
    validate(train);
    stageSeconds.clear();
    SdPipeline pipe = new SdPipeline(sd);
    long t = System.nanoTime();
    Concepts concepts = null;
    if (useConcepts) {
      ConceptLearner learner = ConceptLearner.on(sd).metaclass(metaclass).seed(seed);
      learnerSettings.accept(learner);
      concepts = learner.learn(train, runDir.resolve("concepts")).concepts();
    }
    t = lap("concepts", t);
    // Applied only for inversion and sampling (a null resource is skipped), and removed after;
    // nothing here trains, so autograd records nothing (a notebook cell's thread has it on).
    try (NoGrad off = NoGrad.open(); Concepts.Applied applied = concepts == null ? null : concepts.applyTo(sd)) {
      IntFunction<String> prompt =
          applied != null ? applied::prompt : c -> classNamePrompt(train.classNames().get(c), metaclass.apply(c));
      InversionPool pool =
          interpolation == Interpolation.NOISE
              ? null
              : InversionPool.build(pipe, train, prompt, runDir.resolve("pool"), inversionSteps);
      t = lap("inversion", t);
      Path out = runDir.resolve("synthetic");
      generate(pipe, train, pool, prompt, out);
      lap("generation", t);
      return SyntheticSet.read(out, train.classNames());
    }
  }

  private long lap(String stage, long since) {
    long now = System.nanoTime();
    stageSeconds.put(stage, (now - since) / 1e9);
    return now;
  }

  /** Returns the seconds each stage of the last {@link #run} took (concepts, inversion, generation). */
  public Map<String, Double> stageSeconds() {
    return java.util.Collections.unmodifiableMap(stageSeconds);
  }

  /** The templated class-name prompt used when concepts are off. */
  public static String classNamePrompt(String className, String metaclassWord) {
    String p = "a photo of a " + className.toLowerCase(Locale.ROOT);
    return metaclassWord.isBlank() ? p : p + " " + metaclassWord;
  }

  private void validate(ImageDataset train) {
    int[] counts = train.classCounts();
    for (int c = 0; c < counts.length; c++) {
      if (counts[c] == 0) {
        throw new IllegalArgumentException(
            "class '" + train.classNames().get(c) + "' has no image: Diff-II needs at least one image per class");
      }
    }
    if (expansion < 1 || steps < 1 || inversionSteps < 1 || batch < 1 || !(guidance >= 1)
        || !(splitRatio >= 0 && splitRatio <= 1)) {
      throw new IllegalArgumentException(String.format(
          Locale.ROOT, "invalid Diff-II settings: expansion %d, steps %d, inversion steps %d, batch %d, guidance %g, s %g",
          expansion, steps, inversionSteps, batch, guidance, splitRatio));
    }
  }

  /** Returns every synthetic image's plan, class by class. */
  List<Item> plan(ImageDataset train) {
    int[] counts = train.classCounts();
    List<Item> items = new ArrayList<>();
    for (int c = 0; c < counts.length; c++) {
      int n = counts[c];
      for (int j = 0; j < expansion * n; j++) {
        Random rng = new Random(mix(seed, c, j));
        int a = -1;
        int b = -1;
        if (n > 1 && interpolation != Interpolation.NOISE) {
          a = rng.nextInt(n);
          b = rng.nextInt(n - 1);
          b += b >= a ? 1 : 0;
        }
        double u = rng.nextDouble();
        String suffix = twoStage && suffixes != null && splitRatio > 0 ? suffixes.draw(rng) : "";
        items.add(new Item(c, j, a, b, u, suffix, rng.nextLong()));
      }
    }
    return items;
  }

  private static long mix(long... values) {
    long h = 0x9E3779B97F4A7C15L;
    for (long v : values) {
      h = (h ^ v) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    return h;
  }

  private void generate(
      SdPipeline pipe, ImageDataset train, InversionPool pool, IntFunction<String> prompt, Path out) {
    checkSettings(out, train);
    Map<String, JsonObject> done = SyntheticSet.readManifest(out, true);
    List<Item> plan = plan(train);
    long missing = plan.stream().filter(i -> !done.containsKey(key(i))).count();
    if (missing == 0) {
      return;
    }
    TwoStageSampler sampler = new TwoStageSampler(pipe, steps, guidance, twoStage ? splitRatio : 0);
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
          float[] images = sampler.images(NDArrays.concat(starts), plain, suffix).toFloatArray();
          int per = images.length / chunk.size();
          int side = (int) Math.round(Math.sqrt(per / 3.0));
          for (int k = 0; k < chunk.size() && written < stopAfter; k++) {
            Item item = chunk.get(k);
            if (done.containsKey(key(item))) {
              continue;
            }
            float[] chw = java.util.Arrays.copyOfRange(images, k * per, (k + 1) * per);
            String file = write(out, train.classNames().get(item.label()), item, new RgbImage(side, side, chw));
            JsonObject line =
                line(item, train.classNames().get(item.label()), ids.get(item.label()), angles.get(k), plain.get(k), file);
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
      NDManager scope, InversionPool pool, Map<Integer, List<NDArray>> cache, NDManager cacheManager,
      Item item, double[] lambdaTheta) {
    if (item.a() < 0) {
      var cfg = sd.unet().config();
      Shape shape = new Shape(cfg.inChannels(), cfg.sampleSize(), cfg.sampleSize());
      return GaussianNoise.sample(scope, shape, DataType.FLOAT32, new Random(item.noiseSeed()));
    }
    List<NDArray> pooled = cache.computeIfAbsent(item.label(), c -> {
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
    switch (interpolation) {
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
        lambda = Math.sin(theta) < CircleInterpolation.DEGENERATE_SIN ? 0 : item.u() * (2 * Math.PI / theta - 1);
        z = CircleInterpolation.extrapolate(a, b, lambda);
      }
      case LINEAR -> {
        lambda = item.u();
        z = CircleInterpolation.linear(a, b, lambda);
      }
      default -> throw new IllegalStateException("no pair for " + interpolation);
    }
    z.attach(scope);
    lambdaTheta[0] = lambda;
    lambdaTheta[1] = theta;
    return z;
  }

  static String key(Item item) {
    return item.label() + "/" + item.index();
  }

  private static String write(Path out, String className, Item item, RgbImage image) {
    String relative = ImageFolder.folderName(className) + "/" + String.format(Locale.ROOT, "%05d.png", item.index());
    Path file = out.resolve(relative);
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      image.writePng(tmp);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write synthetic image " + file, e);
    }
    return relative;
  }

  private JsonObject line(
      Item item, String className, List<String> ids, double[] lambdaTheta, String plain, String file) {
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
    o.addProperty("start", item.a() >= 0 ? interpolation.name().toLowerCase(Locale.ROOT) : "gaussian");
    if (item.a() >= 0) {
      o.addProperty("theta", lambdaTheta[1]);
      o.addProperty("lambda", lambdaTheta[0]);
    }
    o.addProperty("prompt", plain);
    o.addProperty("suffix", item.suffix());
    o.addProperty("seed", item.noiseSeed());
    o.addProperty("file", file);
    return o;
  }

  private static void append(Path out, JsonObject line) {
    try {
      Files.writeString(
          out.resolve(MANIFEST), new Gson().toJson(line) + "\n",
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + out.resolve(MANIFEST), e);
    }
  }

  /** Writes the run's settings, or checks that a resumed folder was made with the same ones. */
  private void checkSettings(Path out, ImageDataset train) {
    JsonObject s = new JsonObject();
    s.addProperty("classes", String.join("|", train.classNames()));
    s.addProperty("images", train.size());
    s.addProperty("concepts", useConcepts);
    s.addProperty("two_stage", twoStage);
    s.addProperty("split_ratio", splitRatio);
    s.addProperty("suffixes", suffixes == null ? "" : String.join("|", suffixes.suffixes()));
    s.addProperty("guidance", guidance);
    s.addProperty("steps", steps);
    s.addProperty("inversion_steps", inversionSteps);
    s.addProperty("expansion", expansion);
    s.addProperty("interpolation", interpolation.name());
    s.addProperty("seed", seed);
    s.addProperty("batch", batch);
    String json = new GsonBuilder().setPrettyPrinting().create().toJson(s) + "\n";
    Path file = out.resolve("settings.json");
    try {
      Files.createDirectories(out);
      if (Files.isRegularFile(file)) {
        if (!Files.readString(file).equals(json)) {
          throw new IllegalArgumentException(
              out + " was generated with other settings (see settings.json); use another run folder.\nnow:\n" + json);
        }
      } else {
        Files.writeString(file, json);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "DiffII(concepts %s, interpolation %s, two-stage %s, s %.2f, guidance %.1f, %d steps, %d inversion steps, expansion %d, seed %d)",
        useConcepts ? "on" : "off", interpolation, twoStage ? "on" : "off", splitRatio, guidance, steps,
        inversionSteps, expansion, seed);
  }
}
