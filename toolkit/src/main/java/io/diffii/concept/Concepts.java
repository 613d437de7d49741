package io.diffii.concept;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.diffii.model.Lora;
import io.diffii.nn.LoraAdapter;
import io.diffii.model.StableDiffusion;
import io.diffii.model.TextualInversion;
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
 * Learned class concepts attached to one {@link StableDiffusion}: a textual-inversion placeholder
 * per class (n vectors each) and LoRA adapters on the UNet attention, shared by all classes
 * (paper Sec. 3.1). Attaching changes the model in place; load a fresh model for another set.
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
   * What a concept set is: its classes, their metaclass words (the word after the placeholder in
   * "a photo of a [V] bird"), vectors per class, the word the vectors start from, LoRA rank and α.
   */
  public record Spec(
      List<String> classNames, List<String> metaclasses, int vectorsPerClass, String initToken,
      int loraRank, float loraAlpha) {
    /** Validates the spec. */
    public Spec {
      if (classNames.isEmpty() || classNames.size() != metaclasses.size()) {
        throw new IllegalArgumentException(
            "need one metaclass word per class: " + classNames.size() + " classes, " + metaclasses.size() + " words");
      }
      if (vectorsPerClass < 1 || loraRank < 1 || !(loraAlpha > 0)) {
        throw new IllegalArgumentException(
            "vectors per class and LoRA rank must be >= 1 and alpha > 0: " + vectorsPerClass + ", " + loraRank + ", " + loraAlpha);
      }
      classNames = List.copyOf(classNames);
      metaclasses = List.copyOf(metaclasses);
    }
  }

  private final Spec spec;
  private final List<String> placeholders;
  private final TextualInversion tokens;
  private final Map<String, LoraAdapter> adapters;

  private Concepts(Spec spec, List<String> placeholders, TextualInversion tokens, Map<String, LoraAdapter> adapters) {
    this.spec = spec;
    this.placeholders = placeholders;
    this.tokens = tokens;
    this.adapters = adapters;
  }

  /**
   * Attaches fresh concepts to {@code sd}: vectors initialised from the spec's init token, LoRA
   * up-projections zero (so the model is unchanged until training).
   */
  public static Concepts attach(StableDiffusion sd, Spec spec) {
    if (sd.tokenizer() == null) {
      throw new IllegalArgumentException("concepts need a model with a tokenizer");
    }
    List<String> placeholders = new ArrayList<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String name : spec.classNames()) {
      String p = placeholder(name);
      if (counts.put(p, spec.vectorsPerClass()) != null) {
        throw new IllegalArgumentException("two classes share the placeholder " + p + ": rename one of them");
      }
      placeholders.add(p);
    }
    TextualInversion ti =
        TextualInversion.create(sd.textEncoder(), sd.tokenizer(), counts, spec.initToken(), sd.manager());
    Map<String, LoraAdapter> adapters =
        Lora.inject(sd.unet(), Lora.UNET_TARGETS, spec.loraRank(), spec.loraAlpha(), sd.manager());
    return new Concepts(spec, List.copyOf(placeholders), ti, adapters);
  }

  /** Returns the placeholder of a class name: {@code "T-shirt/top"} → {@code "<t-shirt-top>"}. */
  public static String placeholder(String className) {
    String slug = className.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    if (slug.isEmpty()) {
      throw new IllegalArgumentException("class name '" + className + "' has no letter or digit for a placeholder");
    }
    return "<" + slug + ">";
  }

  /** Reads a saved concept folder and attaches it to {@code sd}. */
  public static Concepts load(StableDiffusion sd, Path dir) {
    Path map = dir.resolve(MAP);
    if (!Files.isRegularFile(map)) {
      throw new IllegalArgumentException("not a concept folder (no " + MAP + "): " + dir.toAbsolutePath());
    }
    JsonObject json;
    try {
      json = new Gson().fromJson(Files.readString(map), JsonObject.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + map, e);
    }
    List<String> names = new ArrayList<>();
    List<String> metas = new ArrayList<>();
    for (var c : json.getAsJsonArray("classes")) {
      names.add(c.getAsJsonObject().get("name").getAsString());
      metas.add(c.getAsJsonObject().get("metaclass").getAsString());
    }
    Spec spec =
        new Spec(names, metas, json.get("vectors_per_class").getAsInt(), json.get("init_token").getAsString(),
            json.get("lora_rank").getAsInt(), json.get("lora_alpha").getAsFloat());
    Concepts concepts = attach(sd, spec);
    concepts.tokens.load(dir.resolve(EMBEDS));
    Lora.load(dir.resolve(LORA), "unet", concepts.adapters);
    return concepts;
  }

  /** Writes the three files of a concept folder to {@code dir}. */
  public Path save(Path dir) {
    try {
      Files.createDirectories(dir);
      tokens.save(dir.resolve(EMBEDS));
      Lora.save(dir.resolve(LORA), "unet", adapters);
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
      Files.writeString(dir.resolve(MAP), new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n");
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write concepts to " + dir, e);
    }
  }

  /** Returns whether {@code dir} holds a complete saved concept folder. */
  public static boolean saved(Path dir) {
    return Files.isRegularFile(dir.resolve(MAP)) && Files.isRegularFile(dir.resolve(EMBEDS))
        && Files.isRegularFile(dir.resolve(LORA));
  }

  /** Returns the plain concept prompt of class {@code label}: "a photo of a [V] {metaclass}". */
  public String prompt(int label) {
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

  /** Returns the learnable token vectors. */
  public TextualInversion tokens() {
    return tokens;
  }

  /** Returns the UNet LoRA adapters by module path. */
  public Map<String, LoraAdapter> adapters() {
    return adapters;
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return "Concepts" + placeholders + " (" + spec.vectorsPerClass() + " vector(s) each, LoRA rank "
        + spec.loraRank() + " on " + adapters.size() + " projections)";
  }
}
