package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Group normalisation (Wu &amp; He, 2018), as PyTorch's {@code nn.GroupNorm(G, C, eps)}: the C
 * channels are split into G groups of C/G; for each sample and group, \(\hat x = (x −
 * μ)/\sqrt{σ^2 + ε}\) with mean μ and biased variance σ² over that group's channels and all
 * positions; then \(y_c = γ_c \hat x_c + β_c\) per channel. Input {@code [B, C, ...]} (any number of
 * trailing spatial axes), output the same shape; parameters {@code weight} (γ) and {@code bias} (β)
 * of shape {@code [C]}.
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
          "GroupNorm needs channels divisible by groups, got " + channels + " channels in " + groups);
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
    long channels = shape.get(1);
    if (shape.dimension() < 2 || channels % groups != 0 || gamma.getShape().size() != channels) {
      throw new IllegalArgumentException(
          "groupNorm: input "
              + shape
              + " needs [B, C, ...] with C divisible by "
              + groups
              + " and γ of size C, got γ "
              + gamma.getShape());
    }
    NDArray grouped = x.reshape(shape.get(0), groups, -1);
    NDArray mean = grouped.mean(new int[] {2}, true);
    NDArray centered = grouped.sub(mean);
    NDArray variance = centered.square().mean(new int[] {2}, true);
    NDArray normalized = centered.div(variance.add(eps).sqrt()).reshape(shape);
    long[] perChannel = new long[shape.dimension() - 1];
    java.util.Arrays.fill(perChannel, 1);
    perChannel[0] = channels;
    return normalized
        .mul(Tensors.onManagerOf(x, gamma.reshape(perChannel)))
        .add(Tensors.onManagerOf(x, beta.reshape(perChannel)));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
