package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Conv2d;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;

/**
 * Doubles the resolution by nearest-neighbour repetition followed by a 3×3 convolution ({@code
 * conv}), as diffusers' {@code Upsample2D} with {@code use_conv}. Input {@code [B, C, H, W]},
 * output {@code [B, C, 2H, 2W]}, or a requested size one smaller on an axis (the UNet asks for the
 * size of the matching skip connection when the latent side is odd).
 */
public final class Upsample2D extends NamedBlock {

  private final Conv2d conv;

  /** Creates an upsampler over {@code channels} channels. */
  public Upsample2D(long channels) {
    this.conv = module("conv", new Conv2d(channels, channels, 3, 1, 1));
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    return new NDList(forward(store, inputs.head(), null, training));
  }

  /** Upsamples {@code x} to twice its size, or to {@code size} ({@code [H, W]}) when given. */
  public NDArray forward(ParameterStore store, NDArray x, long[] size, boolean training) {
    return Tensors.call(store, conv, nearest(x, size), training);
  }

  /**
   * Nearest-neighbour resize of {@code [B, C, H, W]} to {@code size}, or to {@code [2H, 2W]} when
   * {@code size} is null. Each target side must be 2n or 2n − 1 for a source side n: PyTorch's
   * nearest rule, source index ⌊i·n/m⌋, then picks every source index twice, the last one possibly
   * once, which is a repetition cut to length.
   */
  public static NDArray nearest(NDArray x, long[] size) {
    Shape s = x.getShape();
    long h = s.get(2);
    long w = s.get(3);
    long targetH = size == null ? 2 * h : size[0];
    long targetW = size == null ? 2 * w : size[1];
    if (targetH > 2 * h || targetH < 2 * h - 1 || targetW > 2 * w || targetW < 2 * w - 1) {
      throw new IllegalArgumentException(
          "nearest upsampling from "
              + h
              + "×"
              + w
              + " supports only 2n or 2n−1 per side, got "
              + targetH
              + "×"
              + targetW);
    }
    NDArray doubled = x.repeat(2, 2).repeat(3, 2);
    if (targetH == 2 * h && targetW == 2 * w) {
      return doubled;
    }
    return doubled.get(new NDIndex(":, :, :{}, :{}", targetH, targetW));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    return new Shape[] {new Shape(in.get(0), in.get(1), 2 * in.get(2), 2 * in.get(3))};
  }
}
