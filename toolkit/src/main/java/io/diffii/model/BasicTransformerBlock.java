package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Attention;
import io.diffii.nn.FeedForward;
import io.diffii.nn.LayerNorm;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;

/**
 * One pre-norm transformer layer as diffusers' {@code BasicTransformerBlock} in Stable Diffusion:
 * \(x ← x + \mathrm{attn1}(\mathrm{norm1}(x))\) (self-attention), \(x ← x +
 * \mathrm{attn2}(\mathrm{norm2}(x), c)\) (cross-attention to the context c), \(x ← x +
 * \mathrm{ff}(\mathrm{norm3}(x))\) (GEGLU feed-forward of hidden width 4·dim). Layer norms with ε =
 * 1e-5. Inputs {@code x [B, N, dim]} and {@code c [B, M, contextDim]}; output {@code [B, N, dim]}.
 */
public final class BasicTransformerBlock extends NamedBlock {

  private final LayerNorm norm1;
  private final Attention attn1;
  private final LayerNorm norm2;
  private final Attention attn2;
  private final LayerNorm norm3;
  private final FeedForward ff;

  /** Creates a layer of width {@code dim} in {@code heads} heads of {@code dimHead}. */
  public BasicTransformerBlock(long dim, int heads, int dimHead, long contextDim) {
    this.norm1 = module("norm1", new LayerNorm(dim, 1e-5f));
    this.attn1 = module("attn1", Attention.tokens(dim, dim, heads, dimHead));
    this.norm2 = module("norm2", new LayerNorm(dim, 1e-5f));
    this.attn2 = module("attn2", Attention.tokens(dim, contextDim, heads, dimHead));
    this.norm3 = module("norm3", new LayerNorm(dim, 1e-5f));
    this.ff = module("ff", new FeedForward(dim, 4 * dim));
  }

  /** {@inheritDoc} Inputs: (x, context). */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forward(store, inputs.get(0), inputs.get(1), training));
  }

  /** Runs the layer on tokens {@code x} with context {@code context}. */
  public NDArray forward(ParameterStore store, NDArray x, NDArray context, boolean training) {
    NDArray h =
        x.add(attn1.forward(store, Tensors.call(store, norm1, x, training), null, training));
    h = h.add(attn2.forward(store, Tensors.call(store, norm2, h, training), context, training));
    return h.add(Tensors.call(store, ff, Tensors.call(store, norm3, h, training), training));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
