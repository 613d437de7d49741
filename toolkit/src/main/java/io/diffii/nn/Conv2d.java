package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
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
    this(in, out, kernel, stride, padding, true);
  }

  /**
   * Creates a convolution from {@code in} to {@code out} channels, with a bias or without one (as
   * {@code nn.Conv2d(..., bias=False)}, whose checkpoints have no {@code bias} tensor).
   */
  public Conv2d(long in, long out, int kernel, int stride, int padding, boolean withBias) {
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
    this.bias = withBias ? parameter("bias", Parameter.Type.BIAS, new Shape(out)) : null;
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    NDArray w = value(store, x, weight, training);
    NDArray b = bias == null ? null : value(store, x, bias, training);
    return new NDList(conv2d(x, w, b, stride, padding));
  }

  /**
   * Output channels are padded to a multiple of this, with zero filters, when a gradient flows back
   * to the input; see {@link #conv2d}.
   */
  static final int CHANNEL_BLOCK = 16;

  /**
   * The layer's equation: cross-correlation of {@code x} with {@code w}, plus {@code b} (may be
   * null).
   *
   * <p>When autograd records (grad mode on) and the output channels are not a multiple of {@value
   * #CHANNEL_BLOCK}, the convolution runs with zero filters appended up to that multiple and the
   * extra channels are sliced off. PyTorch's oneDNN backward-data kernel (used on the CPU for
   * kernels other than 1×1) works on the output gradient and the filters in channel blocks of 16
   * (AVX-512; 8 on AVX2) and reads the padding of a partial block without it having been written:
   * uninitialised memory, whose bytes only matter when they happen to spell NaN or ±∞ (freed memory
   * that held a −∞ attention mask, say), and then the whole input gradient is NaN — the UNet's
   * {@code conv_out} (4 channels) turned every placeholder and LoRA gradient NaN in some steps of
   * some runs. With whole blocks there is no padding; the appended channels' gradient is exactly
   * zero (the slice's backward writes zeros), so the result is the same.
   */
  public static NDArray conv2d(NDArray x, NDArray w, NDArray b, int stride, int padding) {
    long out = w.getShape().get(0);
    long missing = (CHANNEL_BLOCK - out % CHANNEL_BLOCK) % CHANNEL_BLOCK;
    // Grad mode, not x.hasGradient(): the latter is false for intermediate results in DJL 0.36.
    if (missing == 0 || !JniUtils.isGradMode()) {
      return convolve(x, w, b, stride, padding);
    }
    // Everything made here lives in the input's manager, never in the weights'.
    NDManager local = x.getManager();
    NDIndex all = new NDIndex("...");
    Shape filter = w.getShape();
    NDArray wide =
        NDArrays.concat(
            new NDList(
                w.get(local, all),
                local.zeros(
                    new Shape(missing, filter.get(1), filter.get(2), filter.get(3)),
                    w.getDataType())));
    NDArray wideBias =
        b == null
            ? null
            : NDArrays.concat(
                new NDList(b.get(local, all), local.zeros(new Shape(missing), b.getDataType())));
    return convolve(x, wide, wideBias, stride, padding).get(new NDIndex(":, :{}", out));
  }

  private static NDArray convolve(NDArray x, NDArray w, NDArray b, int stride, int padding) {
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
