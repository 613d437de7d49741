package io.diffii.concept;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.diffii.io.AtomicFiles;
import io.diffii.model.Lora;
import io.diffii.model.StableDiffusion;
import io.diffii.model.TextualInversion;
import io.diffii.model.Tokenizer;
import io.diffii.nn.LoraAdapter;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.NoGrad;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Learned class concepts as a value: a textual-inversion placeholder per class (n vectors each) and
 * LoRA adapters on the UNet attention, shared by all classes (paper Sec. 3.1), kept in a saved
 * concept folder and read from it each time they are applied.
 *
 * <p>Applying concepts to a loaded {@link StableDiffusion} ({@link #applyTo}, or {@link #attach}
 * for fresh ones to train) returns an {@link Applied} handle; closing it restores the base model
 * exactly: adapters removed, the text encoder's extra token rows and the tokenizer's placeholders
 * gone, each parameter's gradient flag as before. So one loaded model serves several runs:
 *
 * <pre>{@code
 * try (Concepts.Applied applied = Concepts.read(dir).applyTo(sd)) {
 *   pipeline.sample(applied.prompt(3), ...);
 * }
 * }</pre>
 *
 * <p>One set at a time: applying while another is applied (or while the model carries adapters or
 * placeholders from elsewhere) is an error, since stacked token ids and adapters would be ambiguous
 * to restore.
 *
 * <p>Saved as three files in a folder: {@code learned_embeds.safetensors} ({placeholder: [n, D]},
 * diffusers' textual-inversion format), {@code pytorch_lora_weights.safetensors} (diffusers' UNet
 * LoRA keys) and {@code concepts.json}, which maps each class to its placeholder and metaclass
 * word, so that nobody has to guess which token is which class.
 */
public final class Concepts {

  /** The file names of a saved concept folder. */
  public static final String EMBEDS = "learned_embeds.safetensors";

  /** The LoRA weights file of a saved concept folder. */
  public static final String LORA = "pytorch_lora_weights.safetensors";

  /** The class map of a saved concept folder. */
  public static final String MAP = "concepts.json";

  /**
   * What a concept set is: its classes, their metaclass words (the word after the placeholder in "a
   * photo of a [V] bird"), vectors per class, the word the vectors start from, LoRA rank and α.
   * Rank 0 is textual inversion alone, without LoRA (Da-Fusion's concepts): nothing is injected
   * into the UNet and no LoRA file is saved.
   */
  public record Spec(
      List<String> classNames,
      List<String> metaclasses,
      int vectorsPerClass,
      String initToken,
      int loraRank,
      float loraAlpha) {
    /** Validates the spec. */
    public Spec {
      if (classNames.isEmpty() || classNames.size() != metaclasses.size()) {
        throw new IllegalArgumentException(
            "need one metaclass word per class: "
                + classNames.size()
                + " classes, "
                + metaclasses.size()
                + " words");
      }
      if (vectorsPerClass < 1 || loraRank < 0 || (loraRank > 0 && !(loraAlpha > 0))) {
        throw new IllegalArgumentException(
            "vectors per class must be >= 1, LoRA rank >= 0 (0: none) and alpha > 0: "
                + vectorsPerClass
                + ", "
                + loraRank
                + ", "
                + loraAlpha);
      }
      classNames = List.copyOf(classNames);
      metaclasses = List.copyOf(metaclasses);
    }
  }

  private final Spec spec;
  private final List<String> placeholders;
  private final Path dir;

  private Concepts(Spec spec, Path dir) {
    this.spec = spec;
    this.placeholders = spec.classNames().stream().map(Concepts::placeholder).toList();
    this.dir = dir;
  }

  /** Returns the placeholder of a class name: {@code "T-shirt/top"} → {@code "<t-shirt-top>"}. */
  public static String placeholder(String className) {
    String slug =
        className.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    if (slug.isEmpty()) {
      throw new IllegalArgumentException(
          "class name '" + className + "' has no letter or digit for a placeholder");
    }
    return "<" + slug + ">";
  }

  /**
   * Reads the class map of a saved concept folder; its weights are read, and checked against the
   * model, each time the concepts are applied.
   */
  public static Concepts read(Path dir) {
    if (!saved(dir)) {
      throw new IllegalArgumentException(
          "not a concept folder (needs "
              + MAP
              + ", "
              + EMBEDS
              + " and, with LoRA, "
              + LORA
              + "): "
              + dir.toAbsolutePath());
    }
    JsonObject json = readMap(dir);
    List<String> names = new ArrayList<>();
    List<String> metas = new ArrayList<>();
    for (var c : json.getAsJsonArray("classes")) {
      names.add(c.getAsJsonObject().get("name").getAsString());
      metas.add(c.getAsJsonObject().get("metaclass").getAsString());
    }
    Spec spec =
        new Spec(
            names,
            metas,
            json.get("vectors_per_class").getAsInt(),
            json.get("init_token").getAsString(),
            json.get("lora_rank").getAsInt(),
            json.get("lora_alpha").getAsFloat());
    return new Concepts(spec, dir);
  }

  /**
   * Applies fresh concepts to {@code sd} for training: every vector starts from the spec's init
   * token, LoRA up-projections are zero (so the model computes as before until training).
   */
  public static Applied attach(StableDiffusion sd, Spec spec) {
    return Applied.apply(sd, spec, null);
  }

  /**
   * Applies these concepts to {@code sd} until the returned handle is closed. Fails, leaving {@code
   * sd} as it was, when the saved vectors or adapters do not fit the model (token width, LoRA paths
   * or shapes) or when concepts are already applied to it.
   */
  public Applied applyTo(StableDiffusion sd) {
    return Applied.apply(sd, spec, dir);
  }

  /**
   * Returns whether {@code dir} holds a complete saved concept folder (the LoRA file only when the
   * class map says the set has LoRA).
   */
  public static boolean saved(Path dir) {
    return Files.isRegularFile(dir.resolve(MAP))
        && Files.isRegularFile(dir.resolve(EMBEDS))
        && (Files.isRegularFile(dir.resolve(LORA))
            || readMap(dir).get("lora_rank").getAsInt() == 0);
  }

  private static JsonObject readMap(Path dir) {
    Path map = dir.resolve(MAP);
    try {
      JsonObject json = new Gson().fromJson(Files.readString(map), JsonObject.class);
      if (json == null || !json.has("lora_rank") || !json.has("classes")) {
        throw new IllegalArgumentException(map + " is not a concept class map");
      }
      return json;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + map, e);
    }
  }

  /** Returns the plain concept prompt of class {@code label}: "a photo of a [V] {metaclass}". */
  public String prompt(int label) {
    return prompt(spec, placeholders, label);
  }

  private static String prompt(Spec spec, List<String> placeholders, int label) {
    return "a photo of a " + placeholders.get(label) + " " + spec.metaclasses().get(label);
  }

  /** Returns the spec. */
  public Spec spec() {
    return spec;
  }

  /** Returns the placeholders, in class order. */
  public List<String> placeholders() {
    return placeholders;
  }

  /** Returns the folder the concepts are saved in. */
  public Path dir() {
    return dir;
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return "Concepts"
        + placeholders
        + " ("
        + spec.vectorsPerClass()
        + " vector(s) each, "
        + (spec.loraRank() == 0 ? "no LoRA" : "LoRA rank " + spec.loraRank())
        + ") in "
        + dir;
  }

  /**
   * Concepts applied to one loaded model, until {@link #close}. While applied, the base UNet and
   * text encoder are frozen, so only the token vectors and adapters can learn.
   */
  public static final class Applied implements AutoCloseable {

    private final StableDiffusion sd;
    private final Spec spec;
    private final List<String> placeholders;
    private final NDManager arrays;
    private final List<Parameter> trainable;
    private TextualInversion tokens;
    private Map<String, LoraAdapter> adapters;
    private boolean closed;

    private Applied(StableDiffusion sd, Spec spec, NDManager arrays, List<Parameter> trainable) {
      this.sd = sd;
      this.spec = spec;
      this.placeholders = spec.classNames().stream().map(Concepts::placeholder).toList();
      this.arrays = arrays;
      this.trainable = trainable;
    }

    /** Applies fresh concepts, then copies the saved ones from {@code from} when it is not null. */
    private static Applied apply(StableDiffusion sd, Spec spec, Path from) {
      Tokenizer tokenizer = sd.tokenizer();
      if (tokenizer == null) {
        throw new IllegalArgumentException("concepts need a model with a tokenizer");
      }
      List<String> adapted = Lora.adapted(sd.unet());
      if (tokenizer.vocabSize() != tokenizer.baseVocabSize() || !adapted.isEmpty()) {
        throw new IllegalStateException(
            "the model already carries concepts ("
                + (tokenizer.vocabSize() - tokenizer.baseVocabSize())
                + " placeholder ids, "
                + adapted.size()
                + " LoRA adapters): close the applied set before applying another");
      }
      Map<String, Integer> counts = new LinkedHashMap<>();
      for (String name : spec.classNames()) {
        if (counts.put(placeholder(name), spec.vectorsPerClass()) != null) {
          throw new IllegalArgumentException(
              "two classes share the placeholder " + placeholder(name) + ": rename one of them");
        }
      }
      List<Parameter> trainable = new ArrayList<>();
      for (NamedBlock block : List.of(sd.unet(), sd.textEncoder())) {
        block.stateDict().values().stream()
            .filter(Parameter::requiresGradient)
            .forEach(trainable::add);
      }
      // The handle's arrays live in a manager of their own, so closing it frees them.
      Applied applied = new Applied(sd, spec, sd.manager().newSubManager(), trainable);
      // Loading copies into the trainable arrays in place, which autograd refuses while recording.
      try (NoGrad off = NoGrad.open()) {
        applied.tokens =
            TextualInversion.create(
                sd.textEncoder(), tokenizer, counts, spec.initToken(), applied.arrays);
        applied.adapters =
            spec.loraRank() == 0
                ? Map.of()
                : Lora.inject(
                    sd.unet(),
                    Lora.UNET_TARGETS,
                    spec.loraRank(),
                    spec.loraAlpha(),
                    applied.arrays);
        Lora.freeze(sd.unet());
        Lora.freeze(sd.textEncoder());
        if (from != null) {
          applied.tokens.load(from.resolve(EMBEDS));
          if (spec.loraRank() > 0) {
            Lora.load(from.resolve(LORA), "unet", applied.adapters);
          }
        }
        return applied;
      } catch (RuntimeException e) {
        // A half-applied set (e.g. LoRA shapes that do not fit) must not stay in the model.
        applied.close();
        throw e;
      }
    }

    /** Returns the plain concept prompt of class {@code label}: "a photo of a [V] {metaclass}". */
    public String prompt(int label) {
      return Concepts.prompt(spec, placeholders, label);
    }

    /** Returns the spec. */
    public Spec spec() {
      return spec;
    }

    /** Returns the placeholders, in class order. */
    public List<String> placeholders() {
      return placeholders;
    }

    /** Returns the live token vectors (for an optimiser). */
    public TextualInversion tokens() {
      return tokens;
    }

    /** Returns the live UNet LoRA adapters by module path (for an optimiser); none at rank 0. */
    public Map<String, LoraAdapter> adapters() {
      return adapters;
    }

    /**
     * Restores the base model: removes the adapters, the extra token rows and the placeholders,
     * unfreezes what was trainable before, and frees the concept arrays. Closing twice is harmless.
     */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      // No adapter or placeholder was there before applying (checked), so removing all restores.
      Lora.remove(sd.unet(), Lora.adapted(sd.unet()));
      sd.textEncoder().setExtraTokenEmbeddings(null);
      sd.tokenizer().clearPlaceholders();
      trainable.forEach(p -> p.freeze(false));
      arrays.close();
    }

    /** Writes the three files of a concept folder to {@code dir} and returns the saved value. */
    public Concepts save(Path dir) {
      try {
        Files.createDirectories(dir);
        tokens.save(dir.resolve(EMBEDS));
        if (spec.loraRank() > 0) {
          Lora.save(dir.resolve(LORA), "unet", adapters);
        }
        JsonObject json = new JsonObject();
        JsonArray classes = new JsonArray();
        for (int i = 0; i < placeholders.size(); i++) {
          JsonObject c = new JsonObject();
          c.addProperty("name", spec.classNames().get(i));
          c.addProperty("placeholder", placeholders.get(i));
          c.addProperty("metaclass", spec.metaclasses().get(i));
          c.addProperty("prompt", prompt(i));
          classes.add(c);
        }
        json.add("classes", classes);
        json.addProperty("vectors_per_class", spec.vectorsPerClass());
        json.addProperty("init_token", spec.initToken());
        json.addProperty("lora_rank", spec.loraRank());
        json.addProperty("lora_alpha", spec.loraAlpha());
        // Written last and whole: the folder counts as saved only once this file exists.
        AtomicFiles.writeString(
            dir.resolve(MAP),
            "concept map",
            new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n");
        return new Concepts(spec, dir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write concepts to " + dir, e);
      }
    }
  }
}
