package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Conv2d;
import io.diffii.nn.NamedBlock;

/**
 * Halves the resolution with a 3×3 convolution of stride 2 ({@code conv}), as diffusers' {@code
 * Downsample2D} with {@code use_conv}. With padding p &gt; 0 the convolution pads p on every side
 * (the UNet's {@code downsample_padding=1}); with p = 0 the input is first padded by one zero row
 * at the bottom and one zero column at the right (the VAE encoder), so an even H gives H/2 either
 * way. Input {@code [B, C, H, W]}, output {@code [B, C, ⌈H/2⌉, ⌈W/2⌉]}.
 */
public final class Downsample2D extends NamedBlock {

  private final int padding;
  private final Conv2d conv;

  /** Creates a downsampler over {@code channels} channels with the given convolution padding. */
  public Downsample2D(long channels, int padding) {
    this.padding = padding;
    this.conv = module("conv", new Conv2d(channels, channels, 3, 2, padding));
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.head();
    if (padding == 0) {
      // Pad order is last axis first: (W left, W right, H top, H bottom).
      x = x.pad(new Shape(0, 1, 0, 1), 0);
    }
    return conv.forward(store, new NDList(x), training);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape in = inputShapes[0];
    int extra = padding == 0 ? 1 : 0;
    Shape padded = new Shape(in.get(0), in.get(1), in.get(2) + extra, in.get(3) + extra);
    return conv.getOutputShapes(new Shape[] {padded});
  }
}
