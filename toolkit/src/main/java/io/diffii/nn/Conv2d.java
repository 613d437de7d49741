package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 2-D convolution with a square kernel, as PyTorch's {@code nn.Conv2d}: weight {@code [out, in,
 * k, k]}, bias {@code [out]}; input {@code [B, in, H, W]}, output {@code [B, out, H', W']} with
 * \(H' = \lfloor (H + 2p - k)/s \rfloor + 1\) for stride s and zero padding p on every side.
 */
public class Conv2d extends NamedBlock {

  private final long outChannels;
  private final int kernel;
  private final int stride;
  private final int padding;
  private final Parameter weight;
  private final Parameter bias;

  /** Creates a convolution with bias from {@code in} to {@code out} channels. */
  public Conv2d(long in, long out, int kernel, int stride, int padding) {
    if (in <= 0 || out <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
      throw new IllegalArgumentException(
          "Conv2d needs positive channels, kernel and stride and a non-negative padding, got in="
              + in
              + " out="
              + out
              + " kernel="
              + kernel
              + " stride="
              + stride
              + " padding="
              + padding);
    }
    this.outChannels = out;
    this.kernel = kernel;
    this.stride = stride;
    this.padding = padding;
    this.weight = parameter("weight", Parameter.Type.WEIGHT, new Shape(out, in, kernel, kernel));
    this.bias = parameter("bias", Parameter.Type.BIAS, new Shape(out));
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    NDArray w = value(store, x, weight, training);
    NDArray b = value(store, x, bias, training);
    return new NDList(conv2d(x, w, b, stride, padding));
  }

  /** The layer's equation: cross-correlation of {@code x} with {@code w}, plus {@code b}. */
  public static NDArray conv2d(NDArray x, NDArray w, NDArray b, int stride, int padding) {
    return ai.djl.nn.convolutional.Conv2d.conv2d(
            x, w, b, new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1)
        .singletonOrThrow();
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    long h = (in.get(2) + 2L * padding - kernel) / stride + 1;
    long w = (in.get(3) + 2L * padding - kernel) / stride + 1;
    return new Shape[] {new Shape(in.get(0), outChannels, h, w)};
  }
}
