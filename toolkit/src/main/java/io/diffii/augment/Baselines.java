package io.diffii.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.diffii.concept.ConceptLearner;
import io.diffii.concept.Concepts;
import io.diffii.data.ImageDataset;
import io.diffii.data.RgbImage;
import io.diffii.io.AtomicFiles;
import io.diffii.io.Progress;
import io.diffii.model.StableDiffusion;
import io.diffii.nn.NoGrad;
import io.diffii.pipeline.ImageToImage;
import io.diffii.pipeline.PromptSchedule;
import io.diffii.pipeline.SdPipeline;
import io.diffii.schedule.GaussianNoise;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.IntFunction;

/**
 * Runs the generative baselines of Table 1 ({@link Baseline}) on one model, writing the same
 * ImageFolder tree and {@code manifest.jsonl} as {@link DiffII}: per image its source image id, the
 * source and target classes, the SDEdit strength, the soft label, the prompt and the noise seed.
 *
 * <pre>{@code
 * SyntheticSet set =
 *     Baselines.on(sd).metaclass(c -> "bird").settings(BaselineSettings.of(diffIISettings))
 *         .concepts(sharedConceptFolder)
 *         .run(Baseline.DIFF_MIX, train, Path.of("runs/cub-5shot/diff-mix"));
 * }</pre>
 *
 * <p>The plan: each real image of class c is the source of {@code expansion} images (Real-Gen: each
 * real image stands for {@code expansion} text-to-image images of its class). For image j of class
 * c a generator seeded by (seed, c, j) draws the target class (c itself, or uniformly one of the
 * other classes for the mixing methods), the strength (uniformly from the method's strengths) and
 * the noise seed. An image is filed, and replaces real draws, under its target class; its label is
 * {@link Baseline#softLabel}. Images are made in fixed batches of that plan, so a stopped run
 * resumes to exactly what an uninterrupted one writes.
 *
 * <p>Concepts: Da-Fusion learns textual-inversion tokens alone into the run folder's {@code
 * concepts/}; Diff-AUG and Diff-Mix use TI + LoRA concepts from {@link #concepts(Path)} (learned
 * there when absent), which a runner shares with Diff-II; the other methods use the base model.
 */
public final class Baselines {

  private static final List<String> STAGES = List.of("concepts", "generated", "synthetic");

  private final StableDiffusion sd;
  private IntFunction<String> metaclass = c -> "";
  private BaselineSettings settings = BaselineSettings.of(DiffIISettings.released());
  private Path conceptDir;
  private ClipFilter filter;
  private long stopAfter = Long.MAX_VALUE;
  private final Map<String, Double> stageSeconds = new LinkedHashMap<>();

  /**
   * One planned synthetic image: its index in the plan, the source image (index into the training
   * set, −1 for none) and its class, the target class, the strength and the noise seed.
   */
  record Item(
      int index, int source, int sourceLabel, int target, double strength, long noiseSeed) {}

  private Baselines(StableDiffusion sd) {
    this.sd = sd;
  }

  /**
   * Starts a runner on {@code sd}; concepts are applied only while a run generates and removed
   * after, so one loaded model serves several runs.
   */
  public static Baselines on(StableDiffusion sd) {
    return new Baselines(sd);
  }

  /** Sets each class's metaclass word ("bird"), the prompts' last word (default none). */
  public Baselines metaclass(IntFunction<String> wordOfClass) {
    this.metaclass = Objects.requireNonNull(wordOfClass);
    return this;
  }

  /** Sets the settings (default {@link BaselineSettings#of} the released Diff-II settings). */
  public Baselines settings(BaselineSettings s) {
    this.settings = Objects.requireNonNull(s);
    return this;
  }

  /**
   * Sets the folder of the TI + LoRA concepts of Diff-AUG and Diff-Mix (default: the run folder's
   * {@code concepts/}); they are learned there with the settings' concept values when absent.
   */
  public Baselines concepts(Path dir) {
    this.conceptDir = Objects.requireNonNull(dir);
    return this;
  }

  /** Sets Real-Filter's CLIP filter (Real-Filter refuses to run without one). */
  public Baselines filter(ClipFilter f) {
    this.filter = Objects.requireNonNull(f);
    return this;
  }

  /** Stops after this many new images, as an interrupted run would (for tests). */
  Baselines stopAfter(long images) {
    this.stopAfter = images;
    return this;
  }

  /** Returns the seconds each stage of the last {@link #run} took (concepts, generation). */
  public Map<String, Double> stageSeconds() {
    return java.util.Collections.unmodifiableMap(stageSeconds);
  }

  /**
   * Makes {@code method}'s synthetic images for {@code train} under {@code runDir} ({@code
   * settings.json}, {@code concepts/} for Da-Fusion, {@code synthetic/}), skipping what an earlier
   * run into the folder finished, and returns them. Real-Filter makes Real-Gen's images (the same
   * plan and seeds) into {@code generated/} and keeps in {@code synthetic/} those its {@link
   * ClipFilter} passes, each manifest line with its {@code clip_confidence} and the set's {@code
   * clip_threshold}.
   */
  public SyntheticSet run(Baseline method, ImageDataset train, Path runDir) {
    if (method == Baseline.REAL_FILTER) {
      if (filter == null) {
        throw new IllegalArgumentException(
            "Real-Filter needs a CLIP filter: Baselines.filter(ClipFilter.withWithout(clipFolder,"
                + " metaclass))");
      }
      filter.requireModel();
    }
    validate(method, train);
    String hash = RunFolder.check(runDir, settingsJson(method, train), STAGES);
    stageSeconds.clear();
    long t = System.nanoTime();
    Concepts concepts = learn(method, train, runDir);
    long now = System.nanoTime();
    stageSeconds.put("concepts", (now - t) / 1e9);
    Path out = runDir.resolve("synthetic");
    // Nothing here trains, so autograd records nothing (a notebook cell's thread has it on).
    try (NoGrad off = NoGrad.open();
        Concepts.Applied applied = concepts == null ? null : concepts.applyTo(sd)) {
      IntFunction<String> prompt =
          applied != null
              ? applied::prompt
              : c -> DiffII.classNamePrompt(train.classNames().get(c), metaclass.apply(c));
      generate(
          method, train, prompt, method == Baseline.REAL_FILTER ? generatedDir(runDir) : out, hash);
    }
    stageSeconds.put("generation", (System.nanoTime() - now) / 1e9);
    if (method == Baseline.REAL_FILTER) {
      now = System.nanoTime();
      keepFiltered(SyntheticSet.read(generatedDir(runDir), train.classNames()), out);
      stageSeconds.put("filter", (System.nanoTime() - now) / 1e9);
    }
    return SyntheticSet.read(out, train.classNames());
  }

  private static Path generatedDir(Path runDir) {
    return runDir.resolve("generated");
  }

  /**
   * Copies the images of {@code all} whose positive confidence reaches the filter's threshold into
   * {@code out}, with their manifest lines (skipping those an earlier run copied).
   */
  private void keepFiltered(SyntheticSet all, Path out) {
    double[] confidence = filter.confidences(all);
    double threshold = filter.threshold(confidence);
    boolean[] kept = filter.kept(confidence);
    Map<String, JsonObject> done = SyntheticSet.readManifest(out, true);
    for (int i = 0; i < all.size(); i++) {
      JsonObject line = all.records().get(i).deepCopy();
      String key = line.get("label").getAsInt() + "/" + line.get("index").getAsInt();
      if (!kept[i] || done.containsKey(key)) {
        continue;
      }
      String file = line.get("file").getAsString();
      AtomicFiles.write(
          out.resolve(file),
          "synthetic image",
          tmp -> Files.copy(all.dir().resolve(file), tmp, StandardCopyOption.REPLACE_EXISTING));
      line.addProperty("clip_confidence", confidence[i]);
      line.addProperty("clip_threshold", threshold);
      DiffII.append(out, line);
    }
  }

  private void validate(Baseline method, ImageDataset train) {
    train.requireEveryClass(method.label());
    if (method.mixing() && train.classNames().size() < 2) {
      throw new IllegalArgumentException(method.label() + " mixes classes: it needs two or more");
    }
  }

  /** Learns or reads the method's concepts; null for the base-model methods. */
  private Concepts learn(Baseline method, ImageDataset train, Path runDir) {
    if (method.prompt() == Baseline.Prompt.CLASS_NAME) {
      return null;
    }
    ConceptLearner learner =
        settings
            .concept()
            .applyTo(ConceptLearner.on(sd).metaclass(metaclass).seed(settings.seed()));
    if (method.prompt() == Baseline.Prompt.TEXTUAL_INVERSION) {
      return learner.lora(0, 1).learn(train, runDir.resolve("concepts")).concepts();
    }
    Path dir = conceptDir == null ? runDir.resolve("concepts") : conceptDir;
    return learner.learn(train, dir).concepts();
  }

  /** Returns every synthetic image's plan, source class by source class. */
  List<Item> plan(Baseline method, ImageDataset train) {
    int classes = train.classNames().size();
    List<List<Integer>> members = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      members.add(new ArrayList<>());
    }
    for (int i = 0; i < train.size(); i++) {
      members.get(train.label(i)).add(i);
    }
    double[] strengths = method.strengths();
    List<Item> items = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      List<Integer> own = members.get(c);
      for (int j = 0; j < settings.expansion() * own.size(); j++) {
        Random rng = new Random(DiffII.mix(settings.seed(), c, j));
        int target = c;
        if (method.mixing()) {
          target = rng.nextInt(classes - 1);
          target += target >= c ? 1 : 0;
        }
        double strength = strengths[rng.nextInt(strengths.length)];
        int source = method.hasSource() ? own.get(j % own.size()) : -1;
        items.add(new Item(items.size(), source, c, target, strength, rng.nextLong()));
      }
    }
    return items;
  }

  private void generate(
      Baseline method, ImageDataset train, IntFunction<String> prompt, Path out, String hash) {
    Map<String, JsonObject> done = SyntheticSet.readManifest(out, true);
    List<Item> plan = plan(method, train);
    long missing = plan.stream().filter(i -> !done.containsKey(key(i))).count();
    if (missing == 0) {
      return;
    }
    SdPipeline pipe = new SdPipeline(sd);
    ImageToImage edit = new ImageToImage(pipe, settings.steps(), settings.guidance());
    Progress progress = new Progress(method.label() + " images", plan.size());
    progress.resumed(plan.size() - missing);
    var cfg = sd.unet().config();
    Shape latent = new Shape(cfg.inChannels(), cfg.sampleSize(), cfg.sampleSize());
    long written = 0;
    try (NDManager manager = sd.manager().newSubManager()) {
      for (int from = 0; from < plan.size() && written < stopAfter; from += settings.batch()) {
        List<Item> chunk = plan.subList(from, Math.min(plan.size(), from + settings.batch()));
        if (chunk.stream().allMatch(i -> done.containsKey(key(i)))) {
          continue;
        }
        // One strength, so one starting timestep, per denoising batch.
        Map<Double, List<Item>> byStrength = new LinkedHashMap<>();
        chunk.forEach(i -> byStrength.computeIfAbsent(i.strength(), s -> new ArrayList<>()).add(i));
        for (List<Item> group : byStrength.values()) {
          if (written >= stopAfter) {
            break;
          }
          try (NDManager scope = manager.newSubManager()) {
            List<String> prompts = group.stream().map(i -> prompt.apply(i.target())).toList();
            NDArray decoded = images(method, pipe, edit, scope, train, group, prompts, latent);
            int height = (int) decoded.getShape().get(2);
            int width = (int) decoded.getShape().get(3);
            for (int k = 0; k < group.size() && written < stopAfter; k++) {
              Item item = group.get(k);
              if (done.containsKey(key(item))) {
                continue;
              }
              String className = train.classNames().get(item.target());
              float[] chw = decoded.get(k).toFloatArray();
              String file =
                  DiffII.write(
                      out,
                      className,
                      item.index(),
                      new RgbImage(height, width, chw),
                      (img, png) -> img.writePng(png));
              JsonObject line = line(method, train, item, prompts.get(k), file, hash);
              DiffII.append(out, line);
              done.put(key(item), line);
              written++;
              progress.advance(1, className);
            }
          }
        }
      }
    }
  }

  /**
   * Returns a group's images (one strength), {@code [B, 3, H, W]} in [0, 1]; source images are
   * brought to the model by {@link StableDiffusion#transform} first.
   */
  private NDArray images(
      Baseline method,
      SdPipeline pipe,
      ImageToImage edit,
      NDManager scope,
      ImageDataset train,
      List<Item> group,
      List<String> prompts,
      Shape latent) {
    NDList noise = new NDList();
    for (Item item : group) {
      noise.add(
          GaussianNoise.sample(scope, latent, DataType.FLOAT32, new Random(item.noiseSeed()))
              .expandDims(0));
    }
    NDArray eps = NDArrays.concat(noise);
    if (!method.hasSource()) {
      NDArray cond = pipe.embed(scope, prompts);
      return pipe.decode(
          pipe.sample(eps, PromptSchedule.constant(cond), settings.steps(), settings.guidance()));
    }
    NDList sources = new NDList();
    for (Item item : group) {
      RgbImage im = sd.transform().apply(train.image(item.source()));
      sources.add(scope.create(im.data(), new Shape(1, 3, im.height(), im.width())));
    }
    return edit.images(NDArrays.concat(sources), eps, prompts, group.get(0).strength());
  }

  private static String key(Item item) {
    return item.target() + "/" + item.index();
  }

  private JsonObject line(
      Baseline method, ImageDataset train, Item item, String prompt, String file, String hash) {
    int classes = train.classNames().size();
    JsonObject o = new JsonObject();
    o.addProperty("class", train.classNames().get(item.target()));
    o.addProperty("label", item.target());
    o.addProperty("index", item.index());
    o.addProperty("method", method.label());
    JsonArray sources = new JsonArray();
    if (item.source() >= 0) {
      sources.add(train.get(item.source()).id());
    }
    o.add("sources", sources);
    o.addProperty("source_class", train.classNames().get(item.sourceLabel()));
    o.addProperty("source_label", item.sourceLabel());
    o.addProperty("target_class", train.classNames().get(item.target()));
    o.addProperty("target_label", item.target());
    o.addProperty("start", item.source() >= 0 ? "sdedit" : "gaussian");
    o.addProperty("strength", item.strength());
    JsonArray soft = new JsonArray();
    for (float p :
        Baseline.softLabel(
            classes,
            item.sourceLabel(),
            item.target(),
            item.strength(),
            settings.gamma(),
            settings.confidence())) {
      soft.add(p);
    }
    o.add("soft_label", soft);
    o.addProperty("prompt", prompt);
    o.addProperty("seed", item.noiseSeed());
    o.addProperty("file", file);
    o.addProperty("settings", hash);
    return o;
  }

  /** Everything that decides the run, for its {@code settings.json}. */
  private JsonObject settingsJson(Baseline method, ImageDataset train) {
    JsonObject s = new JsonObject();
    s.addProperty("method", method.label());
    s.add("baseline", settings.toJson());
    RunFolder.addTrainingSet(s, train, metaclass);
    if (method == Baseline.REAL_FILTER) {
      s.add("filter", filter.toJson(train.classNames().size()));
    }
    return s;
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return "Baselines(" + settings + ")";
  }
}
