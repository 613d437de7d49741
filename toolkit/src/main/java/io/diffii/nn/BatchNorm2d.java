package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Set;
import java.util.TreeSet;

/**
 * Batch normalisation over the channels of {@code [B, C, H, W]}, as PyTorch's {@code
 * nn.BatchNorm2d(C)} (ε = 1e-5, momentum 0.1): \(y_c = γ_c (x_c − μ_c)/\sqrt{σ_c^2 + ε} + β_c\). In
 * training, μ and σ² are the batch's (biased variance) and the running statistics move towards
 * them, \(r ← 0.9\,r + 0.1\,\hat r\) (the variance's update unbiased); in inference, μ and σ² are
 * the running statistics. Parameters {@code weight} (γ), {@code bias} (β); buffers {@code
 * running_mean}, {@code running_var}, all of shape {@code [C]}. PyTorch's {@code
 * num_batches_tracked} counter only matters with cumulative averaging (momentum None), so it is not
 * kept; checkpoints that carry it load with it skipped (see {@link #counters}).
 */
public final class BatchNorm2d extends NamedBlock {

  private static final float EPS = 1e-5f;
  private static final float MOMENTUM = 0.1f;

  private final Parameter weight;
  private final Parameter bias;
  private final Parameter runningMean;
  private final Parameter runningVar;

  /** Creates a batch norm over {@code channels} channels. */
  public BatchNorm2d(long channels) {
    if (channels <= 0) {
      throw new IllegalArgumentException("BatchNorm2d needs positive channels, got " + channels);
    }
    Shape c = new Shape(channels);
    this.weight = parameter("weight", Parameter.Type.GAMMA, c);
    this.bias = parameter("bias", Parameter.Type.BETA, c);
    this.runningMean = buffer("running_mean", Parameter.Type.RUNNING_MEAN, c);
    this.runningVar = buffer("running_var", Parameter.Type.RUNNING_VAR, c);
  }

  /** {@inheritDoc} Input and output {@code [B, C, H, W]}. */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    // DJL's momentum is the weight of the old running value: PyTorch's 0.1 is DJL's 0.9. Axis -1
    // makes DJL's PyTorch engine hand the input to torch's batch_norm as is (channels on axis 1);
    // any other axis goes through a transpose.
    return ai.djl.nn.norm.BatchNorm.batchNorm(
        x,
        value(store, x, runningMean, training),
        value(store, x, runningVar, training),
        value(store, x, weight, training),
        value(store, x, bias, training),
        -1,
        1 - MOMENTUM,
        EPS,
        training);
  }

  /**
   * Returns the checkpoint names of PyTorch's {@code num_batches_tracked} counters that a
   * state_dict of {@code block} carries, one beside each batch norm's running mean: the names to
   * pass as ignored to {@link Weights#load}.
   */
  public static Set<String> counters(NamedBlock block) {
    Set<String> out = new TreeSet<>();
    for (String name : block.stateDict().keySet()) {
      if (name.endsWith(".running_mean")) {
        out.add(name.substring(0, name.length() - "running_mean".length()) + "num_batches_tracked");
      }
    }
    return out;
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return inputShapes;
  }
}
