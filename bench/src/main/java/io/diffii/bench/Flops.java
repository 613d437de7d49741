package io.diffii.bench;

import io.diffii.model.ClipTextConfig;
import io.diffii.model.Transformer2DModel;
import io.diffii.model.UNetConfig;
import io.diffii.model.VaeConfig;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Multiply-adds of one forward pass, counted from a model's config by walking the network as the
 * toolkit builds it ({@code io.diffii.model}). Counted: convolutions ({@code in · out · k² · H_out
 * · W_out}), linear layers ({@code in · out} per row) and the two matrix products of attention
 * ({@code Q·Kᵀ} and {@code softmax·V}, {@code queries · keys · width} each). Not counted: norms,
 * activations, softmax, residual additions, upsampling copies and embedding lookups, which are a
 * few per cent at these sizes. One multiply-add is two FLOPs; the benchmark table reports GFLOP/s
 * as {@code 2 · multiply-adds / seconds}.
 */
public final class Flops {

  private Flops() {}

  /**
   * Returns the multiply-adds of one UNet forward on {@code batch} latents of side {@code side}
   * with a text context of {@code tokens} tokens.
   */
  public static long unet(UNetConfig c, int batch, int side, int tokens) {
    List<Integer> channels = c.blockOutChannels();
    int levels = c.levels();
    int temb = c.timeEmbeddingDim();
    long macs = linear(channels.get(0), temb, 1) + linear(temb, temb, 1);
    int s = side;
    macs += conv(c.inChannels(), channels.get(0), c.convInKernel(), s);
    // The skip connections, as (channels, side), in the order the down path produces them.
    Deque<int[]> skips = new ArrayDeque<>();
    skips.add(new int[] {channels.get(0), s});
    int in = channels.get(0);
    for (int i = 0; i < levels; i++) {
      int out = channels.get(i);
      for (int j = 0; j < c.layersPerBlock().get(i); j++) {
        macs += resnet(in, out, s, temb);
        in = out;
        if (c.downAttention(i) != null) {
          macs += transformer(c.downAttention(i), out, s, tokens);
        }
        skips.add(new int[] {out, s});
      }
      if (i < levels - 1) {
        // A stride-2 3×3 convolution; padding 0 means diffusers' extra right/bottom pad of 1.
        int pad = c.downsamplePadding();
        s = pad == 0 ? (s + 1 - 3) / 2 + 1 : (s + 2 * pad - 3) / 2 + 1;
        macs += conv(out, out, 3, s);
        skips.add(new int[] {out, s});
      }
    }
    int last = channels.get(levels - 1);
    macs += 2 * resnet(last, last, s, temb) + transformer(c.midAttention(), last, s, tokens);
    int prev = last;
    for (int i = 0; i < levels; i++) {
      int level = levels - 1 - i;
      int out = channels.get(level);
      for (int j = 0; j < c.layersPerBlock().get(level) + 1; j++) {
        int skip = skips.removeLast()[0];
        macs += resnet(prev + skip, out, s, temb);
        prev = out;
        if (c.upAttention(i) != null) {
          macs += transformer(c.upAttention(i), out, s, tokens);
        }
      }
      if (i < levels - 1) {
        s = skips.peekLast()[1];
        macs += conv(out, out, 3, s);
      }
    }
    macs += conv(channels.get(0), c.outChannels(), c.convOutKernel(), s);
    return batch * macs;
  }

  /** Returns the multiply-adds of encoding {@code batch} prompts of {@code tokens} tokens. */
  public static long textEncoder(ClipTextConfig c, int batch, int tokens) {
    long d = c.hiddenSize();
    long perLayer =
        4 * linear(d, d, tokens)
            + 2L * tokens * tokens * d
            + linear(d, c.intermediateSize(), tokens)
            + linear(c.intermediateSize(), d, tokens);
    return batch * c.numHiddenLayers() * perLayer;
  }

  /**
   * Returns the multiply-adds of encoding {@code batch} images of side {@code side} to the
   * posterior (quant_conv included).
   */
  public static long vaeEncode(VaeConfig c, int batch, int side) {
    List<Integer> channels = c.blockOutChannels();
    int levels = channels.size();
    int s = side;
    long macs = conv(c.inChannels(), channels.get(0), 3, s);
    int in = channels.get(0);
    for (int i = 0; i < levels; i++) {
      int out = channels.get(i);
      for (int j = 0; j < c.layersPerBlock(); j++) {
        macs += resnet(in, out, s, 0);
        in = out;
      }
      if (i < levels - 1) {
        s = (s + 1 - 3) / 2 + 1;
        macs += conv(out, out, 3, s);
      }
    }
    int last = channels.get(levels - 1);
    int latent2 = 2 * c.latentChannels();
    macs += vaeMid(c, last, s) + conv(last, latent2, 3, s);
    if (c.useQuantConv()) {
      macs += conv(latent2, latent2, 1, s);
    }
    return batch * macs;
  }

  /**
   * Returns the multiply-adds of decoding {@code batch} latents of side {@code side}
   * (post_quant_conv included).
   */
  public static long vaeDecode(VaeConfig c, int batch, int side) {
    List<Integer> channels = c.blockOutChannels();
    int levels = channels.size();
    int s = side;
    int last = channels.get(levels - 1);
    long macs = c.usePostQuantConv() ? conv(c.latentChannels(), c.latentChannels(), 1, s) : 0;
    macs += conv(c.latentChannels(), last, 3, s) + vaeMid(c, last, s);
    int prev = last;
    for (int i = 0; i < levels; i++) {
      int out = channels.get(levels - 1 - i);
      for (int j = 0; j < c.layersPerBlock() + 1; j++) {
        macs += resnet(prev, out, s, 0);
        prev = out;
      }
      if (i < levels - 1) {
        s *= 2;
        macs += conv(out, out, 3, s);
      }
    }
    return batch * (macs + conv(channels.get(0), c.outChannels(), 3, s));
  }

  /** The VAE mid block: two residual blocks around one single-head attention over the pixels. */
  private static long vaeMid(VaeConfig c, int ch, int s) {
    long pixels = (long) s * s;
    long attention =
        c.midBlockAddAttention() ? 4 * linear(ch, ch, pixels) + 2 * pixels * pixels * ch : 0;
    return 2 * resnet(ch, ch, s, 0) + attention;
  }

  /**
   * A residual block: two 3×3 convolutions, the time-embedding projection (none when {@code temb}
   * is 0) and a 1×1 shortcut when the channels change.
   */
  private static long resnet(int in, int out, int s, int temb) {
    return conv(in, out, 3, s)
        + conv(out, out, 3, s)
        + linear(temb, out, 1)
        + (in == out ? 0 : conv(in, out, 1, s));
  }

  /**
   * A spatial transformer over {@code ch} channels at side {@code s}: projections in and out, then
   * per layer self-attention, cross-attention to {@code tokens} context tokens, and the GEGLU
   * feed-forward (inner width 4 × channels, its input projection twice that).
   */
  private static long transformer(Transformer2DModel.Spec spec, int ch, int s, int tokens) {
    long q = (long) s * s;
    long inner = (long) spec.heads() * (ch / spec.heads());
    long self = 4 * linear(inner, inner, q) + 2 * q * q * inner;
    long cross =
        2 * linear(inner, inner, q)
            + 2 * linear(spec.contextDim(), inner, tokens)
            + 2 * q * tokens * inner;
    long feedForward = linear(inner, 8 * inner, q) + linear(4 * inner, inner, q);
    return 2 * linear(ch, inner, q) + spec.layers() * (self + cross + feedForward);
  }

  private static long conv(long in, long out, int kernel, int side) {
    return in * out * kernel * kernel * side * side;
  }

  private static long linear(long in, long out, long rows) {
    return in * out * rows;
  }
}
