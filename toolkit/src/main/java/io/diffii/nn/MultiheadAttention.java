package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Self-attention as PyTorch's {@code nn.MultiheadAttention(dim, heads, batch_first=True)} with its
 * packed projection: \([Q, K, V] = x W_{in}^T + b_{in}\) split in thirds, then the heads' attention
 * ({@link Attention#scaledDotProduct}) and \(\mathrm{out} = \mathrm{concat}_h(\cdot) W_o^T + b_o\).
 * Parameters {@code in_proj_weight} {@code [3·dim, dim]}, {@code in_proj_bias} {@code [3·dim]} and
 * {@code out_proj} (a linear layer); input and output {@code [B, N, dim]}. torchvision's Vision
 * Transformer blocks hold one under {@code self_attention}.
 */
public final class MultiheadAttention extends NamedBlock {

  private final int heads;
  private final Parameter inWeight;
  private final Parameter inBias;
  private final Linear outProj;

  /** Creates a self-attention of width {@code dim} in {@code heads} heads. */
  public MultiheadAttention(long dim, int heads) {
    if (heads <= 0 || dim <= 0 || dim % heads != 0) {
      throw new IllegalArgumentException(dim + " features do not split into " + heads + " heads");
    }
    this.heads = heads;
    this.inWeight = parameter("in_proj_weight", Parameter.Type.WEIGHT, new Shape(3 * dim, dim));
    this.inBias = parameter("in_proj_bias", Parameter.Type.BIAS, new Shape(3 * dim));
    this.outProj = module("out_proj", new Linear(dim, dim));
  }

  /** {@inheritDoc} Input: (x {@code [B, N, dim]}); output: the attended tokens, same shape. */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    NDArray packed =
        Linear.linear(x, value(store, x, inWeight, training), value(store, x, inBias, training));
    NDList qkv = packed.split(3, 2);
    NDArray attended =
        Attention.scaledDotProduct(
            Attention.splitHeads(qkv.get(0), heads),
            Attention.splitHeads(qkv.get(1), heads),
            Attention.splitHeads(qkv.get(2), heads));
    return outProj.forward(store, new NDList(Attention.mergeHeads(attended)), training);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
