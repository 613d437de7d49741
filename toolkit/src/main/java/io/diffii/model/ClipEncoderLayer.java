package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Attention;
import io.diffii.nn.LayerNorm;
import io.diffii.nn.Linear;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;

/**
 * One layer of transformers' {@code CLIPEncoder}, shared by the text and the vision tower: pre-norm
 * self-attention then a pre-norm MLP, each with a residual, \(h ← h + \mathrm{attn}(\mathrm{ln}_1
 * h)\), \(h ← h + \mathrm{fc}_2(\mathrm{act}(\mathrm{fc}_1(\mathrm{ln}_2 h)))\). Names: {@code
 * self_attn.{q,k,v,out}_proj}, {@code layer_norm1}, {@code mlp.fc1}, {@code mlp.fc2}, {@code
 * layer_norm2}. States {@code [B, L, D]}; the text tower passes a causal mask, the vision tower
 * none.
 */
final class ClipEncoderLayer extends NamedBlock {

  private final int heads;
  private final String act;
  private final LayerNorm norm1;
  private final LayerNorm norm2;
  private final Linear q;
  private final Linear k;
  private final Linear v;
  private final Linear out;
  private final Linear fc1;
  private final Linear fc2;

  /**
   * Builds a layer of width {@code hidden}, MLP width {@code intermediate}, {@code heads} heads,
   * activation {@code act} ({@code quick_gelu} or {@code gelu}) and layer-norm epsilon {@code eps}.
   */
  ClipEncoderLayer(int hidden, int intermediate, int heads, String act, float eps) {
    this.heads = heads;
    this.act = act;
    Group attn = module("self_attn", new Group());
    q = attn.module("q_proj", new Linear(hidden, hidden));
    k = attn.module("k_proj", new Linear(hidden, hidden));
    v = attn.module("v_proj", new Linear(hidden, hidden));
    out = attn.module("out_proj", new Linear(hidden, hidden));
    norm1 = module("layer_norm1", new LayerNorm(hidden, eps));
    Group mlp = module("mlp", new Group());
    fc1 = mlp.module("fc1", new Linear(hidden, intermediate));
    fc2 = mlp.module("fc2", new Linear(intermediate, hidden));
    norm2 = module("layer_norm2", new LayerNorm(hidden, eps));
  }

  /** Returns the layer's output for states {@code h}; {@code mask} ({@code [L, L]}) may be null. */
  NDArray forward(ParameterStore store, NDArray h, NDArray mask, boolean training) {
    NDArray x = Tensors.call(store, norm1, h, training);
    NDArray qs = Attention.splitHeads(Tensors.call(store, q, x, training), heads);
    NDArray ks = Attention.splitHeads(Tensors.call(store, k, x, training), heads);
    NDArray vs = Attention.splitHeads(Tensors.call(store, v, x, training), heads);
    NDArray attended = maskedAttention(qs, ks, vs, mask);
    h = h.add(Tensors.call(store, out, Attention.mergeHeads(attended), training));
    NDArray y = Tensors.call(store, fc1, Tensors.call(store, norm2, h, training), training);
    y = act.equals("quick_gelu") ? quickGelu(y) : Activation.gelu(y);
    return h.add(Tensors.call(store, fc2, y, training));
  }

  /** softmax(q kᵀ/√d + mask) v over {@code [B, h, L, d]}; no mask when {@code mask} is null. */
  static NDArray maskedAttention(NDArray q, NDArray k, NDArray v, NDArray mask) {
    double scale = 1.0 / Math.sqrt(q.getShape().get(3));
    NDArray scores = Tensors.mul(q.matMul(k.transpose(0, 1, 3, 2)), scale);
    return (mask == null ? scores : scores.add(mask)).softmax(-1).matMul(v);
  }

  /** CLIP's activation, \(x·σ(1.702x)\). */
  static NDArray quickGelu(NDArray x) {
    return x.mul(Activation.sigmoid(Tensors.mul(x, 1.702f)));
  }

  /** {@inheritDoc} Input: (states); output: (states), without a mask. */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forward(store, inputs.head(), null, training));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }

  /** A named level ({@code self_attn}, {@code mlp}) without computation of its own. */
  private static final class Group extends NamedBlock {
    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      throw new UnsupportedOperationException("called through ClipEncoderLayer");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      throw new UnsupportedOperationException("called through ClipEncoderLayer");
    }
  }
}
