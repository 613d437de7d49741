package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;
import io.diffii.io.ConfigJson;
import io.diffii.io.Safetensors;
import io.diffii.nn.Compute;
import io.diffii.nn.Linear;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;
import io.diffii.nn.Weights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * transformers' {@code CLIPModel} in a folder: {@code config.json} ({@code text_config}, {@code
 * vision_config}, {@code projection_dim}), {@code model.safetensors} ({@code text_model.*}, {@code
 * vision_model.*}, {@code visual_projection.weight}, {@code text_projection.weight}, {@code
 * logit_scale}), the tokenizer files beside them (CLIP BPE {@code vocab.json} + {@code merges.txt},
 * or a {@code tokenizer.json}) and, optionally, {@code preprocessor_config.json}.
 *
 * <p>Image features are \(W_v\,\mathrm{pool}_v(x)\) and text features \(W_t\,\mathrm{pool}_t(t)\)
 * (transformers' {@code get_image_features} / {@code get_text_features}); their cosine similarity
 * times \(e^{\mathrm{logit\_scale}}\) is CLIP's logit. Images given as {@code [B, 3, H, W]} in [0,
 * 1] go through {@link ClipImageProcessor} first. The model owns the manager of its weights.
 */
public final class ClipModel implements AutoCloseable {

  /** Buffers present in some checkpoints that this implementation does not use. */
  private static final Set<String> IGNORED =
      Set.of("text_model.embeddings.position_ids", "vision_model.embeddings.position_ids");

  private static final int CHUNK = 64;

  private final ClipConfig config;
  private final NDManager manager;
  private final ClipTextModel text;
  private final ClipVisionModel vision;
  private final Head head;
  private final Tokenizer tokenizer;
  private final ClipImageProcessor processor;

  private ClipModel(
      ClipConfig config, NDManager manager, Tokenizer tokenizer, ClipImageProcessor processor) {
    if (tokenizer.maxLength() > config.text().maxPositionEmbeddings()) {
      throw new IllegalArgumentException(
          "tokenizer pads to "
              + tokenizer.maxLength()
              + " tokens, more than max_position_embeddings "
              + config.text().maxPositionEmbeddings());
    }
    this.config = config;
    this.manager = manager;
    this.text = new ClipTextModel(config.text());
    this.vision = new ClipVisionModel(config.vision());
    this.head =
        new Head(config.text().hiddenSize(), config.vision().hiddenSize(), config.projectionDim());
    this.tokenizer = tokenizer;
    this.processor = processor;
  }

  /**
   * Returns a new model with PyTorch's default initialisation (drawn from the engine's seed) and
   * {@code logit_scale} at its configured initial value; it owns a new manager.
   */
  public static ClipModel create(
      ClipConfig config, Tokenizer tokenizer, ClipImageProcessor processor) {
    NDManager manager = Compute.newManager();
    try {
      ClipModel model = new ClipModel(config, manager, tokenizer, processor);
      Parameter scale = model.head.logitScale;
      scale.setInitializer(new ConstantInitializer(config.logitScaleInitValue()));
      scale.initialize(manager, DataType.FLOAT32);
      model.text.initializeParameters(manager);
      model.vision.initializeParameters(manager);
      model.head.initializeParameters(manager);
      return model;
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Reads a transformers {@code CLIPModel} folder (see the class comment). */
  public static ClipModel load(Path dir) {
    Path configFile = dir.resolve("config.json");
    if (!Files.isRegularFile(configFile)) {
      throw new IllegalArgumentException(
          "not a CLIP model folder (no config.json): " + dir.toAbsolutePath());
    }
    ClipConfig config = ClipConfig.fromJson(configFile);
    Path weights = dir.resolve("model.safetensors");
    if (!Files.isRegularFile(weights)) {
      String hint =
          Files.isRegularFile(dir.resolve("pytorch_model.bin"))
              ? " (only PyTorch .bin weights found: convert them to safetensors)"
              : "";
      throw new IllegalArgumentException("no weights " + weights + hint);
    }
    Tokenizer tokenizer = Tokenizer.load(dir);
    ClipImageProcessor processor = ClipImageProcessor.read(dir, config.vision().imageSize());
    NDManager manager = Compute.newManager();
    try {
      ClipModel model = new ClipModel(config, manager, tokenizer, processor);
      try (NDManager scope = manager.newSubManager()) {
        Map<String, NDArray> all = Safetensors.readAll(weights, scope);
        Map<String, NDArray> textPart = new LinkedHashMap<>();
        Map<String, NDArray> visionPart = new LinkedHashMap<>();
        Map<String, NDArray> headPart = new LinkedHashMap<>();
        all.forEach(
            (k, v) -> {
              Map<String, NDArray> into =
                  k.startsWith("text_model.")
                      ? textPart
                      : k.startsWith("vision_model.") ? visionPart : headPart;
              into.put(k, v);
            });
        String source = weights.toString();
        Weights.load(model.head, headPart, manager, Set.of(), source);
        Weights.load(model.text, textPart, manager, IGNORED, source);
        Weights.load(model.vision, visionPart, manager, IGNORED, source);
      }
      return model;
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * Writes the model as a transformers {@code CLIPModel} folder: {@code config.json}, {@code
   * model.safetensors} with floating weights as {@code dtype}, {@code preprocessor_config.json} and
   * the tokenizer files (word-level tokenizers only).
   */
  public void save(Path dir, Safetensors.Dtype dtype) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("config.json"), config.toJson());
      Files.writeString(
          dir.resolve("preprocessor_config.json"), ConfigJson.write(processor.toMap()));
      Safetensors.write(dir.resolve("model.safetensors"), arrays(), dtype, Map.of("format", "pt"));
      tokenizer.save(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write CLIP model folder " + dir, e);
    }
  }

  /** Returns the number of parameters of a model of {@code config}, without allocating it. */
  public static long countParameters(ClipConfig config) {
    Head head =
        new Head(config.text().hiddenSize(), config.vision().hiddenSize(), config.projectionDim());
    return Weights.count(new ClipTextModel(config.text()))
        + Weights.count(new ClipVisionModel(config.vision()))
        + Weights.count(head);
  }

  /** Returns every weight array by its transformers name (the arrays themselves, not copies). */
  public Map<String, NDArray> arrays() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.putAll(Weights.arrays(text));
    out.putAll(Weights.arrays(vision));
    out.putAll(Weights.arrays(head));
    return out;
  }

  /**
   * Returns the image features {@code [B, projection_dim]} (not normalised) of pixel values already
   * processed ({@link ClipImageProcessor#apply}).
   */
  public NDArray imageFeatures(ParameterStore store, NDArray pixelValues, boolean training) {
    NDArray pooled = vision.encode(store, pixelValues, training).get(1);
    return Tensors.call(store, head.visualProjection, pooled, training);
  }

  /** Returns the text features {@code [B, projection_dim]} (not normalised) of token ids. */
  public NDArray textFeatures(ParameterStore store, NDArray inputIds, boolean training) {
    NDArray pooled = text.encode(store, inputIds, training).get(1);
    return Tensors.call(store, head.textProjection, pooled, training);
  }

  /** Returns {@code logit_scale} (a 0-d array; the logits' multiplier is its exponential). */
  public NDArray logitScale(ParameterStore store, NDArray like, boolean training) {
    return store.getValue(head.logitScale, like.getDevice(), training);
  }

  /** Returns the token ids {@code [K, L]} of {@code prompts}, padded as the tokenizer pads. */
  public NDArray tokenize(List<String> prompts, NDManager m) {
    int length = tokenizer.maxLength();
    long[] ids = new long[Math.multiplyExact(prompts.size(), length)];
    for (int i = 0; i < prompts.size(); i++) {
      System.arraycopy(tokenizer.encode(prompts.get(i)), 0, ids, i * length, length);
    }
    return m.create(ids, new Shape(prompts.size(), length));
  }

  /** Returns the unit-length text embeddings {@code [K, projection_dim]} of {@code prompts}. */
  public NDArray embedTexts(List<String> prompts, NDManager m) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("no prompts to embed");
    }
    NDArray ids = tokenize(prompts, m);
    return unit(textFeatures(new ParameterStore(m, false), ids, false));
  }

  /**
   * Returns the unit-length image embeddings {@code [B, projection_dim]} of images {@code [B, 3, H,
   * W]} in [0, 1] (processed as CLIP's processor does), computed in chunks, in the images' manager.
   */
  public NDArray embedImages(NDArray images) {
    NDManager m = images.getManager();
    long n = images.getShape().get(0);
    List<NDArray> parts = new ArrayList<>();
    for (long from = 0; from < n; from += CHUNK) {
      try (NDManager scope = m.newSubManager()) {
        NDArray part = images.get("{}:{}", from, Math.min(n, from + CHUNK));
        part.attach(scope);
        NDArray pixels = processor.apply(part);
        NDArray e = unit(imageFeatures(new ParameterStore(scope, false), pixels, false));
        e.attach(m);
        parts.add(e);
      }
    }
    return parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts));
  }

  /** Returns {@code x} divided by its L2 norm along the last axis. */
  public static NDArray unit(NDArray x) {
    return x.div(x.norm(new int[] {-1}, true));
  }

  /** Returns the configuration. */
  public ClipConfig config() {
    return config;
  }

  /** Returns the text tower. */
  public ClipTextModel textModel() {
    return text;
  }

  /** Returns the vision tower. */
  public ClipVisionModel visionModel() {
    return vision;
  }

  /** Returns the tokenizer. */
  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** Returns the image preprocessing. */
  public ClipImageProcessor processor() {
    return processor;
  }

  /** Returns the current \(e^{\mathrm{logit\_scale}}\), the multiplier of cosine logits. */
  public float logitScaleExp() {
    return (float) Math.exp(head.logitScale.getArray().getFloat());
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

  /** The top-level tensors: both projections (no bias) and {@code logit_scale} (0-d). */
  private static final class Head extends NamedBlock {
    final Linear visualProjection;
    final Linear textProjection;
    final Parameter logitScale;

    Head(long textWidth, long visionWidth, long projection) {
      visualProjection = module("visual_projection", new Linear(visionWidth, projection, false));
      textProjection = module("text_projection", new Linear(textWidth, projection, false));
      logitScale = parameter("logit_scale", Parameter.Type.OTHER, new Shape());
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      throw new UnsupportedOperationException("called through ClipModel");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      throw new UnsupportedOperationException("called through ClipModel");
    }
  }
}
