package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Group normalisation (Wu &amp; He, 2018), as PyTorch's {@code nn.GroupNorm(G, C, eps)}: the C
 * channels are split into G groups of C/G; for each sample and group, \(\hat x = (x − μ)/\sqrt{σ^2
 * + ε}\) with mean μ and biased variance σ² over that group's channels and all positions; then
 * \(y_c = γ_c \hat x_c + β_c\) per channel. Input {@code [B, C, ...]} (any number of trailing
 * spatial axes), output the same shape; parameters {@code weight} (γ) and {@code bias} (β) of shape
 * {@code [C]}.
 */
public class GroupNorm extends NamedBlock {

  private final int groups;
  private final float eps;
  private final Parameter weight;
  private final Parameter bias;

  /** Creates a group norm of {@code channels} channels in {@code groups} groups. */
  public GroupNorm(int groups, long channels, float eps) {
    if (groups <= 0 || channels <= 0 || channels % groups != 0) {
      throw new IllegalArgumentException(
          "GroupNorm needs channels divisible by groups, got "
              + channels
              + " channels in "
              + groups);
    }
    this.groups = groups;
    this.eps = eps;
    this.weight = parameter("weight", Parameter.Type.GAMMA, new Shape(channels));
    this.bias = parameter("bias", Parameter.Type.BETA, new Shape(channels));
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    NDArray gamma = value(store, x, weight, training);
    NDArray beta = value(store, x, bias, training);
    return new NDList(groupNorm(x, gamma, beta, groups, eps));
  }

  /** The equation, for {@code x} of shape {@code [B, C, ...]} and γ, β of shape {@code [C]}. */
  public static NDArray groupNorm(NDArray x, NDArray gamma, NDArray beta, int groups, float eps) {
    Shape shape = x.getShape();
    long channels = shape.dimension() < 2 ? 0 : shape.get(1);
    if (channels == 0 || channels % groups != 0 || gamma.getShape().size() != channels) {
      throw new IllegalArgumentException(
          "groupNorm: input "
              + shape
              + " needs [B, C, ...] with C divisible by "
              + groups
              + " and γ of size C, got γ "
              + gamma.getShape());
    }
    // Each (sample, group) row is normalised by the engine's fused layer norm, without affine.
    NDArray grouped = x.reshape(shape.get(0), groups, -1);
    Shape row = new Shape(grouped.getShape().get(2));
    NDManager local = x.getManager();
    NDArray normalized =
        ai.djl.nn.norm.LayerNorm.layerNorm(grouped, row, local.ones(row), local.zeros(row), eps)
            .singletonOrThrow()
            .reshape(shape);
    // γ and β viewed as [C, 1, ...], created in the activation's manager rather than the
    // weights': arrays made by a forward pass must never land in the long-lived weight manager.
    NDIndex perChannel = new NDIndex(":" + ", null".repeat(shape.dimension() - 2));
    return normalized
        .mul(gamma.get(x.getManager(), perChannel))
        .add(beta.get(x.getManager(), perChannel));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
