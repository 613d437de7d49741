package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Conv2d;
import io.diffii.nn.LayerNorm;
import io.diffii.nn.ModuleList;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;

/**
 * transformers' {@code CLIPVisionModel}: a ViT whose patches come from a bias-free strided
 * convolution, with a learned class token in front, learned positions, a layer norm before the
 * encoder ({@code pre_layrnorm}, transformers' spelling) and one on the class token's final state
 * ({@code post_layernorm}). The encoder layers are the text tower's ({@link ClipEncoderLayer}),
 * without a mask. Names: {@code vision_model.embeddings.patch_embedding.weight}, {@code
 * vision_model.embeddings.class_embedding}, {@code
 * vision_model.embeddings.position_embedding.weight}, {@code vision_model.encoder.layers.N.…}.
 *
 * <p>Input pixel values {@code [B, C, S, S]} already normalised (see {@link ClipImageProcessor});
 * output the last hidden state {@code [B, 1 + N, D]} and the pooled output {@code [B, D]}.
 */
public final class ClipVisionModel extends NamedBlock {

  private final ClipVisionConfig config;
  private final Parameter classEmbedding;
  private final Conv2d patchEmbedding;
  private final Parameter positionEmbedding;
  private final LayerNorm preLayerNorm;
  private final ModuleList<ClipEncoderLayer> layers;
  private final LayerNorm postLayerNorm;

  /** Builds the tower of {@code config}; parameter shapes are fixed, arrays not allocated. */
  public ClipVisionModel(ClipVisionConfig config) {
    this.config = config;
    int d = config.hiddenSize();
    ModuleNode vision = module("vision_model", new ModuleNode());
    Embeddings embeddings = vision.module("embeddings", new Embeddings(d));
    this.classEmbedding = embeddings.classEmbedding;
    this.patchEmbedding =
        embeddings.module(
            "patch_embedding",
            new Conv2d(config.numChannels(), d, config.patchSize(), config.patchSize(), 0, false));
    this.positionEmbedding =
        embeddings.module("position_embedding", new ModuleNode.Table(config.numPatches() + 1, d))
            .weight;
    this.preLayerNorm = vision.module("pre_layrnorm", new LayerNorm(d, config.layerNormEps()));
    ModuleNode encoder = vision.module("encoder", new ModuleNode());
    this.layers = encoder.module("layers", new ModuleList<>());
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      layers.add(
          new ClipEncoderLayer(
              d,
              config.intermediateSize(),
              config.numAttentionHeads(),
              config.hiddenAct(),
              config.layerNormEps()));
    }
    this.postLayerNorm = vision.module("post_layernorm", new LayerNorm(d, config.layerNormEps()));
  }

  /** Returns the configuration. */
  public ClipVisionConfig config() {
    return config;
  }

  /** Encodes normalised pixel values {@code [B, C, S, S]}; inference mode. */
  public NDList encode(NDArray pixelValues) {
    return encode(new ParameterStore(pixelValues.getManager(), false), pixelValues, false);
  }

  /**
   * Encodes normalised pixel values {@code [B, C, S, S]} to (last_hidden_state {@code [B, 1 + N,
   * D]}, pooled_output {@code [B, D]}, the post-normed class token).
   */
  public NDList encode(ParameterStore store, NDArray pixelValues, boolean training) {
    Shape s = pixelValues.getShape();
    int side = config.imageSize();
    if (s.dimension() != 4
        || s.get(1) != config.numChannels()
        || s.get(2) != side
        || s.get(3) != side) {
      throw new IllegalArgumentException(
          "pixel values must be [B, "
              + config.numChannels()
              + ", "
              + side
              + ", "
              + side
              + "], got "
              + s);
    }
    long batch = s.get(0);
    long d = config.hiddenSize();
    NDArray patches = Tensors.call(store, patchEmbedding, pixelValues, training);
    patches = patches.reshape(batch, d, -1).transpose(0, 2, 1);
    // Parameter values are taken as views in the input's manager, so that nothing made here lands
    // in the weights' manager.
    NDIndex all = new NDIndex("...");
    NDArray cls =
        value(store, pixelValues, classEmbedding, training)
            .get(pixelValues.getManager(), all)
            .reshape(1, 1, d)
            .broadcast(new Shape(batch, 1, d));
    NDArray positions =
        value(store, pixelValues, positionEmbedding, training).get(pixelValues.getManager(), all);
    NDArray h = NDArrays.concat(new NDList(cls, patches), 1).add(positions);
    h = Tensors.call(store, preLayerNorm, h, training);
    for (ClipEncoderLayer layer : layers.items()) {
      h = layer.forward(store, h, null, training);
    }
    NDArray pooled = Tensors.call(store, postLayerNorm, h.get(":, 0, :"), training);
    return new NDList(h, pooled);
  }

  /** {@inheritDoc} Input: (pixel values); output: (last_hidden_state, pooled_output). */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return encode(store, inputs.head(), training);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long b = inputShapes[0].get(0);
    return new Shape[] {
      new Shape(b, config.numPatches() + 1, config.hiddenSize()), new Shape(b, config.hiddenSize())
    };
  }

  /** {@code embeddings}: holds the class token {@code [D]} as its own parameter. */
  private static final class Embeddings extends ModuleNode {
    final Parameter classEmbedding;

    Embeddings(long width) {
      classEmbedding = parameter("class_embedding", Parameter.Type.WEIGHT, new Shape(width));
    }
  }
}
