package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffii.io.Safetensors;
import io.diffii.nn.Compute;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Weights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Stable Diffusion model in the diffusers folder layout: {@code model_index.json}, {@code unet/},
 * {@code vae/}, {@code text_encoder/}, {@code tokenizer/} and {@code scheduler/}, each with its
 * config and safetensors weights (fp32, fp16 or bf16; computed in fp32). The same class holds a
 * real SD-1.x folder and the embedded tiny model.
 *
 * <p>Components that {@code model_index.json} lists as {@code [null, null]} (tokenizer, safety
 * checker, feature extractor) are optional; a missing required one is an error naming it.
 */
public final class StableDiffusion implements AutoCloseable {

  /** Tensors present in real checkpoints that this implementation does not use. */
  private static final Set<String> IGNORED = Set.of("text_model.embeddings.position_ids");

  private final NDManager manager;
  private final UNet2DConditionModel unet;
  private final AutoencoderKL vae;
  private final ClipTextModel textEncoder;
  private final Tokenizer tokenizer;
  private final String schedulerConfig;

  private StableDiffusion(
      NDManager manager,
      UNet2DConditionModel unet,
      AutoencoderKL vae,
      ClipTextModel textEncoder,
      Tokenizer tokenizer,
      String schedulerConfig) {
    this.manager = manager;
    this.unet = unet;
    this.vae = vae;
    this.textEncoder = textEncoder;
    this.tokenizer = tokenizer;
    this.schedulerConfig = schedulerConfig;
  }

  /**
   * Assembles a model from networks whose arrays live in {@code manager}, which the model then owns
   * and closes; {@code tokenizer} and {@code schedulerConfig} (the text of a diffusers {@code
   * scheduler_config.json}) may be null.
   */
  public static StableDiffusion of(
      NDManager manager,
      UNet2DConditionModel unet,
      AutoencoderKL vae,
      ClipTextModel textEncoder,
      Tokenizer tokenizer,
      String schedulerConfig) {
    return new StableDiffusion(manager, unet, vae, textEncoder, tokenizer, schedulerConfig);
  }

  /** Reads a diffusers folder. */
  public static StableDiffusion load(Path dir) {
    JsonObject index = readIndex(dir);
    NDManager manager = Compute.newManager();
    try {
      UNet2DConditionModel unet =
          new UNet2DConditionModel(UNetConfig.fromJson(require(dir, index, "unet", "config.json")));
      loadWeights(unet, dir.resolve("unet"), "diffusion_pytorch_model", manager);
      AutoencoderKL vae =
          new AutoencoderKL(VaeConfig.fromJson(require(dir, index, "vae", "config.json")));
      loadWeights(vae, dir.resolve("vae"), "diffusion_pytorch_model", manager);
      ClipTextModel text =
          new ClipTextModel(
              ClipTextConfig.fromJson(require(dir, index, "text_encoder", "config.json")));
      loadWeights(text, dir.resolve("text_encoder"), "model", manager);
      Tokenizer tokenizer =
          listed(index, "tokenizer") ? Tokenizer.load(dir.resolve("tokenizer")) : null;
      String scheduler =
          listed(index, "scheduler")
              ? Files.readString(require(dir, index, "scheduler", "scheduler_config.json"))
              : null;
      return new StableDiffusion(manager, unet, vae, text, tokenizer, scheduler);
    } catch (IOException e) {
      manager.close();
      throw new UncheckedIOException("cannot read model folder " + dir, e);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static JsonObject readIndex(Path dir) {
    Path file = dir.resolve("model_index.json");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "not a diffusers model folder (no model_index.json): " + dir.toAbsolutePath());
    }
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot parse " + file + ": " + e.getMessage(), e);
    }
  }

  private static boolean listed(JsonObject index, String component) {
    JsonElement e = index.get(component);
    return e != null && e.isJsonArray() && !e.getAsJsonArray().get(0).isJsonNull();
  }

  private static Path require(Path dir, JsonObject index, String component, String file) {
    if (!listed(index, component)) {
      throw new IllegalArgumentException(
          dir.resolve("model_index.json") + " does not list the required component " + component);
    }
    Path path = dir.resolve(component).resolve(file);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "component " + component + " has no " + file + ": " + path);
    }
    return path;
  }

  /** Loads {@code <stem>.safetensors}, or its {@code .fp16} variant, into {@code block}. */
  private static void loadWeights(NamedBlock block, Path dir, String stem, NDManager manager) {
    Path file = dir.resolve(stem + ".safetensors");
    if (!Files.isRegularFile(file)) {
      file = dir.resolve(stem + ".fp16.safetensors");
    }
    if (!Files.isRegularFile(file)) {
      String hint =
          Files.isRegularFile(
                  dir.resolve(stem.equals("model") ? "pytorch_model.bin" : stem + ".bin"))
              ? " (only PyTorch .bin weights found: convert them to safetensors)"
              : "";
      throw new IllegalArgumentException("no weights " + dir.resolve(stem + ".safetensors") + hint);
    }
    try (NDManager scope = manager.newSubManager()) {
      Map<String, NDArray> tensors = Safetensors.readAll(file, scope);
      Weights.load(block, tensors, manager, IGNORED, file.toString());
    }
  }

  /**
   * Writes this model as a diffusers folder, floating weights as {@code dtype} (F16 keeps the
   * embedded model small; F32 is exact).
   */
  public void save(Path dir, Safetensors.Dtype dtype) {
    try {
      Files.createDirectories(dir);
      Map<String, Object> index = new LinkedHashMap<>();
      index.put("_class_name", "StableDiffusionPipeline");
      index.put("_diffusers_version", "0.35.2");
      index.put("feature_extractor", List.of());
      index.put("requires_safety_checker", false);
      index.put("safety_checker", List.of());
      index.put(
          "scheduler", schedulerConfig == null ? List.of() : List.of("diffusers", "DDIMScheduler"));
      index.put("text_encoder", List.of("transformers", "CLIPTextModel"));
      index.put(
          "tokenizer", tokenizer == null ? List.of() : List.of("transformers", "CLIPTokenizer"));
      index.put("unet", List.of("diffusers", "UNet2DConditionModel"));
      index.put("vae", List.of("diffusers", "AutoencoderKL"));
      String json =
          new GsonBuilder()
              .setPrettyPrinting()
              .serializeNulls()
              .create()
              .toJson(index)
              .replace("[]", "[\n    null,\n    null\n  ]");
      Files.writeString(dir.resolve("model_index.json"), json + "\n");
      writeComponent(
          dir.resolve("unet"), unet.config().toJson(), unet, "diffusion_pytorch_model", dtype);
      writeComponent(
          dir.resolve("vae"), vae.config().toJson(), vae, "diffusion_pytorch_model", dtype);
      writeComponent(
          dir.resolve("text_encoder"), textEncoder.config().toJson(), textEncoder, "model", dtype);
      if (schedulerConfig != null) {
        Files.createDirectories(dir.resolve("scheduler"));
        Files.writeString(dir.resolve("scheduler/scheduler_config.json"), schedulerConfig);
      }
      if (tokenizer != null) {
        tokenizer.save(dir.resolve("tokenizer"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write model folder " + dir, e);
    }
  }

  private static void writeComponent(
      Path dir, String config, NamedBlock block, String stem, Safetensors.Dtype dtype)
      throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), config);
    Safetensors.write(
        dir.resolve(stem + ".safetensors"), Weights.arrays(block), dtype, Map.of("format", "pt"));
  }

  /** Returns the UNet. */
  public UNet2DConditionModel unet() {
    return unet;
  }

  /** Returns the autoencoder. */
  public AutoencoderKL vae() {
    return vae;
  }

  /** Returns the text encoder. */
  public ClipTextModel textEncoder() {
    return textEncoder;
  }

  /**
   * Returns the side of the square images the model is made for: the UNet's {@code sample_size}
   * times the autoencoder's {@link VaeConfig#spatialFactor}, as diffusers' pipelines compute their
   * default height and width (512 for Stable Diffusion 1.x, 32 for the embedded model).
   */
  public int resolution() {
    return unet.config().sampleSize() * vae.config().spatialFactor();
  }

  /**
   * Returns how images of any size are brought to the model before they are encoded (concept
   * learning, inversion, image-to-image sources): {@link ResizeCrop#square} of {@link #resolution},
   * the shorter side resized to it and the centre cropped, as the released Diff-II code resizes to
   * 512 for Stable Diffusion 1.5.
   */
  public ResizeCrop transform() {
    return ResizeCrop.square(resolution());
  }

  /** Returns the tokenizer; fails clearly when the folder has none. */
  public Tokenizer tokenizer() {
    if (tokenizer == null) {
      throw new IllegalStateException(
          "this model folder has no tokenizer (model_index.json lists it as [null, null])");
    }
    return tokenizer;
  }

  /**
   * Returns the text of the folder's {@code scheduler/scheduler_config.json}, empty when the folder
   * lists no scheduler. The model never interprets it: pipelines build their schedulers from it.
   */
  public Optional<String> schedulerConfig() {
    return Optional.ofNullable(schedulerConfig);
  }

  /** Returns the manager that owns the weights. */
  public NDManager manager() {
    return manager;
  }

  /** {@inheritDoc} */
  @Override
  public void close() {
    manager.close();
  }
}
