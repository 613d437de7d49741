package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.LayerNorm;
import io.diffii.nn.ModuleList;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;

/**
 * transformers' {@code CLIPTextModel}: token + position embeddings, pre-norm encoder layers with
 * causal self-attention and an MLP, and a final layer norm. Parameter names are transformers'
 * ({@code text_model.encoder.layers.0.self_attn.q_proj.weight}, …), so real checkpoints load.
 *
 * <p>Input ids {@code [B, L]} with L ≤ {@code max_position_embeddings}; outputs the last hidden
 * state {@code [B, L, D]} and the pooled output {@code [B, D]}, the state at the end token.
 * Textual-inversion vectors enter as extra rows after the token table ({@link
 * #setExtraTokenEmbeddings}): ids from {@code vocab_size} on select them, so they can be trained
 * while the table itself stays frozen.
 */
public final class ClipTextModel extends NamedBlock {

  private final ClipTextConfig config;
  private final Parameter tokenEmbedding;
  private final Parameter positionEmbedding;
  private final ModuleList<ClipEncoderLayer> layers;
  private final LayerNorm finalLayerNorm;
  private NDArray extraTokens;

  /** Builds the encoder of {@code config}; parameter shapes are fixed, arrays not allocated. */
  public ClipTextModel(ClipTextConfig config) {
    this.config = config;
    ModuleNode text = module("text_model", new ModuleNode());
    ModuleNode embeddings = text.module("embeddings", new ModuleNode());
    this.tokenEmbedding =
        embeddings.module(
                "token_embedding", new ModuleNode.Table(config.vocabSize(), config.hiddenSize()))
            .weight;
    this.positionEmbedding =
        embeddings.module(
                "position_embedding",
                new ModuleNode.Table(config.maxPositionEmbeddings(), config.hiddenSize()))
            .weight;
    ModuleNode encoder = text.module("encoder", new ModuleNode());
    this.layers = encoder.module("layers", new ModuleList<>());
    for (int i = 0; i < config.numHiddenLayers(); i++) {
      layers.add(
          new ClipEncoderLayer(
              config.hiddenSize(),
              config.intermediateSize(),
              config.numAttentionHeads(),
              config.hiddenAct(),
              config.layerNormEps()));
    }
    this.finalLayerNorm =
        text.module("final_layer_norm", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
  }

  /** Returns the configuration. */
  public ClipTextConfig config() {
    return config;
  }

  /** Returns the token table parameter {@code [vocab_size, D]}. */
  public Parameter tokenEmbedding() {
    return tokenEmbedding;
  }

  /**
   * Sets the rows that ids {@code vocab_size, vocab_size + 1, …} select ({@code [n, D]}), or clears
   * them with null. The array is used as given, so gradients reach it.
   */
  public void setExtraTokenEmbeddings(NDArray rows) {
    if (rows != null
        && (rows.getShape().dimension() != 2 || rows.getShape().get(1) != config.hiddenSize())) {
      throw new IllegalArgumentException(
          "extra token embeddings must be [n, "
              + config.hiddenSize()
              + "], got "
              + rows.getShape());
    }
    this.extraTokens = rows;
  }

  /**
   * Encodes {@code inputIds [B, L]} (int64) to (last_hidden_state, pooled_output). Inference mode.
   */
  public NDList encode(NDArray inputIds) {
    return encode(new ParameterStore(inputIds.getManager(), false), inputIds, false);
  }

  /** Encodes with an explicit parameter store; see {@link #encode(NDArray)}. */
  public NDList encode(ParameterStore store, NDArray inputIds, boolean training) {
    NDArray ids = inputIds.toType(DataType.INT64, false);
    Shape s = ids.getShape();
    if (s.dimension() != 2 || s.get(1) > config.maxPositionEmbeddings()) {
      throw new IllegalArgumentException(
          "input ids must be [B, L] with L <= " + config.maxPositionEmbeddings() + ", got " + s);
    }
    // Every array made here lives in the input's manager, never in the weights' manager: a view
    // of the table is taken there first.
    NDArray table =
        value(store, ids, tokenEmbedding, training).get(ids.getManager(), new NDIndex("..."));
    if (extraTokens != null) {
      table = NDArrays.concat(new NDList(table, extraTokens));
    }
    NDArray tokens = table.get(new NDIndex("{}", ids.flatten())).reshape(s.get(0), s.get(1), -1);
    return encodeEmbeddings(store, tokens, ids, training);
  }

  /**
   * Encodes token embeddings {@code [B, L, D]} (the token table's rows, or trained vectors in their
   * place); {@code inputIds} locate the end token for pooling.
   */
  public NDList encodeEmbeddings(
      ParameterStore store, NDArray tokenEmbeds, NDArray inputIds, boolean training) {
    long length = tokenEmbeds.getShape().get(1);
    NDArray positions =
        value(store, tokenEmbeds, positionEmbedding, training)
            .get(tokenEmbeds.getManager(), new NDIndex(":{}", length));
    NDArray h = tokenEmbeds.add(positions);
    NDArray mask = causalMask(tokenEmbeds.getManager(), length);
    for (ClipEncoderLayer layer : layers.items()) {
      h = layer.forward(store, h, mask, training);
    }
    NDArray last = Tensors.call(store, finalLayerNorm, h, training);
    return new NDList(last, pool(last, inputIds.toType(DataType.INT64, false)));
  }

  /**
   * Returns the state at the end token of each row: the first eos id, or (legacy eos id 2) the
   * largest id.
   */
  private NDArray pool(NDArray last, NDArray ids) {
    NDArray position =
        config.eosTokenId() == 2
            ? ids.argMax(1)
            : ids.eq(config.eosTokenId()).toType(DataType.INT32, false).argMax(1);
    long batch = last.getShape().get(0);
    NDArray rows = last.getManager().arange(0, (int) batch, 1, DataType.INT64);
    return last.get(new NDIndex("{}, {}", rows, position.toType(DataType.INT64, false)));
  }

  /** Returns {@code [L, L]} with 0 on and below the diagonal and −∞ above it. */
  static NDArray causalMask(ai.djl.ndarray.NDManager manager, long length) {
    float[] m = new float[(int) (length * length)];
    for (int i = 0; i < length; i++) {
      for (int j = i + 1; j < length; j++) {
        m[(int) (i * length + j)] = Float.NEGATIVE_INFINITY;
      }
    }
    return manager.create(m, new Shape(length, length));
  }

  /** {@inheritDoc} Input: (input ids); output: (last_hidden_state, pooled_output). */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return encode(store, inputs.head(), training);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {
      new Shape(s.get(0), s.get(1), config.hiddenSize()), new Shape(s.get(0), config.hiddenSize())
    };
  }
}
