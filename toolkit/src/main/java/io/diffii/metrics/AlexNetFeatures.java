package io.diffii.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Conv2d;
import io.diffii.nn.NamedBlock;
import java.util.List;

/**
 * The convolutional part of torchvision's AlexNet ({@code features.N.weight/bias} for N = 0, 3, 6,
 * 8, 10) up to its fifth ReLU, returning the five ReLU outputs that LPIPS compares (lpips' {@code
 * alexnet} slices): conv 11×11/4 pad 2 (64) → relu1 → maxpool 3/2 → conv 5×5 pad 2 (192) → relu2 →
 * maxpool 3/2 → conv 3×3 pad 1 (384) → relu3 → conv 3×3 pad 1 (256) → relu4 → conv 3×3 pad 1 (256)
 * → relu5. Inputs need at least 31 pixels a side, so that the second pooling has an output.
 */
final class AlexNetFeatures extends NamedBlock {

  /** Channels of the five compared layers. */
  static final int[] CHANNELS = {64, 192, 384, 256, 256};

  /** The smallest input side the layers accept. */
  static final int MIN_SIDE = 31;

  private final Conv2d conv1;
  private final Conv2d conv2;
  private final Conv2d conv3;
  private final Conv2d conv4;
  private final Conv2d conv5;

  AlexNetFeatures() {
    Node features = module("features", new Node());
    conv1 = features.module("0", new Conv2d(3, 64, 11, 4, 2));
    conv2 = features.module("3", new Conv2d(64, 192, 5, 1, 2));
    conv3 = features.module("6", new Conv2d(192, 384, 3, 1, 1));
    conv4 = features.module("8", new Conv2d(384, 256, 3, 1, 1));
    conv5 = features.module("10", new Conv2d(256, 256, 3, 1, 1));
  }

  /** Returns relu1 … relu5 of {@code x}, the scaled input {@code [B, 3, H, W]}. */
  List<NDArray> relus(ParameterStore store, NDArray x) {
    Shape s = x.getShape();
    if (s.dimension() != 4 || s.get(2) < MIN_SIDE || s.get(3) < MIN_SIDE) {
      throw new IllegalArgumentException(
          "AlexNet LPIPS needs images [B, 3, H, W] with H, W >= " + MIN_SIDE + ", got " + s);
    }
    NDArray relu1 = Activation.relu(call(store, conv1, x, false));
    NDArray relu2 = Activation.relu(call(store, conv2, maxPool(relu1), false));
    NDArray relu3 = Activation.relu(call(store, conv3, maxPool(relu2), false));
    NDArray relu4 = Activation.relu(call(store, conv4, relu3, false));
    NDArray relu5 = Activation.relu(call(store, conv5, relu4, false));
    return List.of(relu1, relu2, relu3, relu4, relu5);
  }

  /** torchvision's {@code MaxPool2d(kernel_size=3, stride=2)}: no padding, floor mode. */
  private static NDArray maxPool(NDArray x) {
    return Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(0, 0), false);
  }

  /** {@inheritDoc} Input: (scaled images); output: relu1 … relu5. */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(relus(store, inputs.head()));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    throw new UnsupportedOperationException("shapes depend on the input size; call relus");
  }

  /** A named level ({@code features}) without computation of its own. */
  private static final class Node extends NamedBlock {
    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      throw new UnsupportedOperationException("called through AlexNetFeatures");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      throw new UnsupportedOperationException("called through AlexNetFeatures");
    }
  }
}
