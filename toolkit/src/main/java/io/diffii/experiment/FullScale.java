package io.diffii.experiment;

import ai.djl.ndarray.NDManager;
import io.diffii.augment.ClipCaptioner;
import io.diffii.augment.ClipFilter;
import io.diffii.augment.DiffIISettings;
import io.diffii.augment.SuffixSource;
import io.diffii.classify.Backbone;
import io.diffii.classify.Classifier;
import io.diffii.classify.Torchvision;
import io.diffii.data.Cub200;
import io.diffii.data.FgvcAircraft;
import io.diffii.data.OxfordPets;
import io.diffii.data.Split;
import io.diffii.io.Digests;
import io.diffii.model.ResizeCrop;
import io.diffii.nn.Compute;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The full-scale {@link Benchmark} preset: a Stable Diffusion 1.x folder of the user's, a published
 * data set, torchvision backbones from the user's safetensors, and suffixes from the training
 * images' pixels. What the command {@code diffii few-shot --model DIR --dataset cub:ROOT --backbone
 * resnet50:FILE --clip DIR} runs, in one notebook cell:
 *
 * <pre>{@code
 * Result r = FullScale.of(Path.of("stable-diffusion-v1-5"))
 *     .dataset("cub:/data/CUB_200_2011")
 *     .backbone("resnet50:/weights/resnet50.safetensors")
 *     .clip(Path.of("clip-vit-large-patch14"))
 *     .fewShot().shots(5).trials(3).out(Path.of("runs/cub")).run();
 * }</pre>
 *
 * <ul>
 *   <li>Diff-II's settings are {@link DiffIISettings#released()} unless {@link #settings} gives
 *       others: the embedded recipe is never applied to a user's model.
 *   <li>The metaclass word is the data set's ({@link Dataset#metaclass}: bird, pet, aircraft).
 *   <li>A backbone's weights (a torchvision {@code state_dict} as safetensors, see {@link
 *       Torchvision}) are loaded strictly once and kept as a classifier folder under {@link #cache}
 *       named by the file's hash; fine-tuning replaces its ImageNet head for the data set's
 *       classes, and its transform ({@link Torchvision#RESNET50_TRANSFORM}, {@link
 *       Torchvision#VIT_B16_TRANSFORM}) fixes the benchmark's image size. Backbones of different
 *       input sizes (ResNet-50 at 224, ViT-B/16 at 384) are run as two benchmarks into the same
 *       output folder, where they share the Diff-II images.
 *   <li>Suffixes come from a caption file ({@link SuffixSource#fromFile}, one suffix a line) when
 *       one is given, else from a {@link ClipCaptioner} of the CLIP folder over {@link #phrases}
 *       (default {@link ClipCaptioner#SCENES}); one of the two is required. The CLIP folder also
 *       makes Real-Filter's filter ({@link ClipFilter#withWithout}).
 * </ul>
 */
public final class FullScale {

  /** The published data sets a full-scale run reads, each with its metaclass word. */
  public enum Dataset {
    /** CUB-200-2011 ({@link Cub200}): birds. */
    CUB("cub", "CUB-200-2011", "bird", "images.txt", Cub200::read),
    /** Oxford-IIIT Pets ({@link OxfordPets}): pets. */
    PETS("pets", "Oxford-IIIT Pets", "pet", "annotations/trainval.txt", OxfordPets::read),
    /** FGVC-Aircraft at the variant level ({@link FgvcAircraft}): aircraft. */
    AIRCRAFT(
        "aircraft",
        "FGVC-Aircraft",
        "aircraft",
        "data/images_variant_train.txt",
        FgvcAircraft::read);

    private final String id;
    private final String title;
    private final String metaclass;
    private final String marker;
    private final Function<Path, Split> reader;

    Dataset(
        String id, String title, String metaclass, String marker, Function<Path, Split> reader) {
      this.id = id;
      this.title = title;
      this.metaclass = metaclass;
      this.marker = marker;
      this.reader = reader;
    }

    /** Returns the name the command line uses ("cub", "pets", "aircraft"). */
    public String id() {
      return id;
    }

    /** Returns the prompts' metaclass word of every class ("bird"). */
    public String metaclass() {
      return metaclass;
    }

    /**
     * Reads the data set in its published layout under {@code root}; a folder without its listing
     * file is a clear error.
     */
    public Split read(Path root) {
      requireLayout(root);
      return reader.apply(root);
    }

    /** Fails clearly when {@code root} lacks the data set's listing file. */
    void requireLayout(Path root) {
      if (!Files.isRegularFile(root.resolve(marker))) {
        throw new IllegalArgumentException(
            title
                + " folder "
                + root.toAbsolutePath()
                + " has no "
                + marker
                + ": point it at the data set in its published layout");
      }
    }

    /** Returns the data set named {@code id}, with a clear error for any other name. */
    public static Dataset of(String id) {
      return Arrays.stream(values())
          .filter(d -> d.id.equals(id.strip().toLowerCase(Locale.ROOT)))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "unknown data set " + id + "; use " + ids(values(), Dataset::id)));
    }
  }

  /** torchvision's networks, each reported as the backbone type of its family ("resnet", "vit"). */
  public enum Network {
    /** ResNet-50 at 224 px ({@link Torchvision#resnet50Architecture}). */
    RESNET50(
        "resnet50",
        Backbone.RESNET,
        Torchvision.RESNET50_TRANSFORM,
        () -> Torchvision.resnet50Architecture(1000)),
    /** ViT-B/16 at 384 px ({@link Torchvision#vitB16Architecture}). */
    VITB16(
        "vitb16",
        Backbone.VIT,
        Torchvision.VIT_B16_TRANSFORM,
        () -> Torchvision.vitB16Architecture(1000));

    private final String id;
    private final Backbone backbone;
    private final ResizeCrop transform;
    private final Supplier<Classifier> architecture;

    Network(String id, Backbone backbone, ResizeCrop transform, Supplier<Classifier> architecture) {
      this.id = id;
      this.backbone = backbone;
      this.transform = transform;
      this.architecture = architecture;
    }

    /** Returns the name the command line uses ("resnet50", "vitb16"). */
    public String id() {
      return id;
    }

    /** Returns the backbone type its rows are reported under. */
    public Backbone backbone() {
      return backbone;
    }

    /** Returns the side of its input images (224, 384). */
    public int inputSize() {
      return transform.crop();
    }

    /** Returns the backbone named {@code id}, with a clear error for any other name. */
    public static Network of(String id) {
      return Arrays.stream(values())
          .filter(w -> w.id.equals(id.strip().toLowerCase(Locale.ROOT)))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "unknown backbone " + id + "; use " + ids(values(), Network::id)));
    }
  }

  private final Path model;
  private Dataset dataset;
  private Path datasetRoot;
  private final Map<Backbone, Map.Entry<Network, Path>> weights = new EnumMap<>(Backbone.class);
  private final Map<Backbone, Path> converted = new EnumMap<>(Backbone.class);
  private Path clip;
  private Path captions;
  private List<String> phrases = ClipCaptioner.SCENES;
  private DiffIISettings settings;
  private Path cache = Path.of("runs/backbones");
  private Split split;

  private FullScale(Path model) {
    this.model = Objects.requireNonNull(model);
  }

  /** Starts a full-scale benchmark on the diffusers Stable Diffusion 1.x folder {@code model}. */
  public static FullScale of(Path model) {
    return new FullScale(model);
  }

  /** Sets the data set from {@code "kind:root"}: {@code cub:ROOT}, {@code pets:ROOT}, ... */
  public FullScale dataset(String spec) {
    String[] kindAndPath = split(spec, "data set", "cub:/data/CUB_200_2011");
    return dataset(Dataset.of(kindAndPath[0]), Path.of(kindAndPath[1]));
  }

  /** Sets the data set and the folder of its published layout. */
  public FullScale dataset(Dataset kind, Path root) {
    this.dataset = Objects.requireNonNull(kind);
    this.datasetRoot = Objects.requireNonNull(root);
    this.split = null;
    return this;
  }

  /**
   * Adds a backbone from {@code "kind:file"}: {@code resnet50:FILE} or {@code vitb16:FILE}, a
   * torchvision {@code state_dict} saved as safetensors.
   */
  public FullScale backbone(String spec) {
    String[] kindAndPath = split(spec, "backbone", "resnet50:/weights/resnet50.safetensors");
    return backbone(Network.of(kindAndPath[0]), Path.of(kindAndPath[1]));
  }

  /** Adds the backbone {@code kind} with its weights {@code file}. */
  public FullScale backbone(Network kind, Path file) {
    weights.put(kind.backbone(), Map.entry(kind, Objects.requireNonNull(file)));
    converted.remove(kind.backbone());
    return this;
  }

  /**
   * Sets the transformers {@code CLIPModel} folder that captions the training images and filters
   * Real-Filter's images.
   */
  public FullScale clip(Path dir) {
    this.clip = dir;
    return this;
  }

  /** Sets a file of suffixes, one a line, used instead of the CLIP captioner's. */
  public FullScale captions(Path file) {
    this.captions = file;
    return this;
  }

  /**
   * Sets the scene phrases the CLIP captioner chooses among (default {@link ClipCaptioner#SCENES}).
   */
  public FullScale phrases(List<String> scenePhrases) {
    this.phrases = List.copyOf(scenePhrases);
    return this;
  }

  /** Sets Diff-II's settings (default {@link DiffIISettings#released()}). */
  public FullScale settings(DiffIISettings s) {
    this.settings = Objects.requireNonNull(s);
    return this;
  }

  /** Sets the folder the converted backbone folders are kept in (default runs/backbones). */
  public FullScale cache(Path dir) {
    this.cache = Objects.requireNonNull(dir);
    return this;
  }

  /** Returns the data set's train and test parts, read once. */
  public Split split() {
    requireDataset();
    if (split == null) {
      split = dataset.read(datasetRoot);
    }
    return split;
  }

  /**
   * Returns the benchmark, after checking every input: the model folder, the data set, the
   * backbones' weight files and input sizes, the CLIP folder and the caption file.
   */
  public Benchmark benchmark() {
    if (!Files.isRegularFile(model.resolve("model_index.json"))) {
      throw new IllegalArgumentException(
          "not a diffusers Stable Diffusion folder (no model_index.json): "
              + model.toAbsolutePath());
    }
    requireDataset();
    dataset.requireLayout(datasetRoot);
    if (weights.isEmpty()) {
      throw new IllegalArgumentException(
          "a full-scale benchmark needs a backbone: resnet50:FILE or vitb16:FILE");
    }
    int[] sizes =
        weights.values().stream().mapToInt(w -> w.getKey().inputSize()).distinct().toArray();
    if (sizes.length > 1) {
      throw new IllegalArgumentException(
          "backbones "
              + ids(
                  weights.values().stream().map(Map.Entry::getKey).toArray(Network[]::new),
                  Network::id)
              + " take different image sizes "
              + Arrays.toString(sizes)
              + ": run one benchmark per backbone into the same output folder");
    }
    for (Map.Entry<Network, Path> w : weights.values()) {
      if (!Files.isRegularFile(w.getValue())) {
        throw new IllegalArgumentException(
            "no weights file "
                + w.getValue().toAbsolutePath()
                + " for backbone "
                + w.getKey().id());
      }
    }
    String word = dataset.metaclass();
    IntFunction<String> metaclass = c -> word;
    ClipFilter filter = clip == null ? null : ClipFilter.withWithout(clip, metaclass);
    if (filter != null) {
      filter.requireModel();
    }
    Function<io.diffii.data.ImageDataset, SuffixSource> suffixes;
    if (captions != null) {
      if (!Files.isRegularFile(captions)) {
        throw new IllegalArgumentException("no caption file " + captions.toAbsolutePath());
      }
      SuffixSource fromFile = SuffixSource.fromFile(captions);
      suffixes = train -> fromFile;
    } else if (clip != null) {
      Path clipDir = clip;
      List<String> scenes = phrases;
      suffixes = train -> ClipCaptioner.suffixes(clipDir, word, scenes, train);
    } else {
      throw new IllegalArgumentException(
          "Diff-II's suffixes need a CLIP folder to caption the training images, or a caption"
              + " file of suffixes");
    }
    return new Benchmark(
        dataset.title + ", full scale",
        model,
        this::backboneFolder,
        sizes[0],
        metaclass,
        suffixes,
        settings == null ? DiffIISettings.released() : settings,
        filter);
  }

  /**
   * Returns Table 1's experiment on this benchmark: {@code k} training images per class of the data
   * set's train part drawn by the seed ({@link io.diffii.data.ImageDataset#perClass}), its whole
   * test part, on the backbones given.
   */
  public FewShotExperiment fewShot() {
    Benchmark b = benchmark();
    return FewShotExperiment.on(
            b, (k, seed) -> Split.of(split().train().perClass(k, seed), split().test()))
        .backbones(weights.keySet().toArray(Backbone[]::new));
  }

  /**
   * Returns the classifier folder of {@code b}'s weights, converted on first use: the safetensors
   * file loaded strictly into torchvision's architecture and saved as {@code config.json} + {@code
   * model.safetensors} under {@link #cache}, named by the file's hash.
   */
  private Path backboneFolder(Backbone b) {
    Map.Entry<Network, Path> w = weights.get(b);
    if (w == null) {
      throw new IllegalArgumentException(
          "no weights for backbone "
              + b.id()
              + ": give "
              + (b == Backbone.RESNET ? Network.RESNET50 : Network.VITB16).id()
              + ":FILE");
    }
    return converted.computeIfAbsent(b, k -> convert(w.getKey(), w.getValue()));
  }

  private Path convert(Network kind, Path file) {
    Path dir = cache.resolve(kind.id() + "-" + Digests.ofFile(file).substring(0, 12));
    if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
      return dir;
    }
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
    try (NDManager manager = Compute.newManager()) {
      Torchvision.load(kind.architecture.get(), file, manager).save(tmp, false);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the converted backbone in " + dir, e);
    }
    return dir;
  }

  private void requireDataset() {
    if (dataset == null) {
      throw new IllegalArgumentException(
          "a full-scale benchmark needs a data set: cub:ROOT, pets:ROOT or aircraft:ROOT");
    }
  }

  private static String[] split(String spec, String what, String example) {
    int colon = spec.indexOf(':');
    if (colon <= 0 || colon == spec.length() - 1) {
      throw new IllegalArgumentException(
          "a " + what + " is KIND:PATH (e.g. " + example + "), got '" + spec + "'");
    }
    return new String[] {spec.substring(0, colon), spec.substring(colon + 1)};
  }

  private static <T> String ids(T[] values, Function<T, String> id) {
    return String.join(", ", Arrays.stream(values).map(id).toList());
  }
}
