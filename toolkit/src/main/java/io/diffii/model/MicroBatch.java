package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.diffii.nn.Compute;
import java.util.List;

/**
 * How many images one call of the UNet or the autoencoder takes at once, from the model's shapes
 * and the memory budget ({@link Compute#memoryBytes()}): the one place the diffusion stages size
 * their micro-batches (concept learning's encoding and held-out loss, inversion, generation, the
 * baselines), so that peak memory follows the budget and not the size of the data set or of a
 * settings batch. Splitting a batch changes no result: every image is computed on its own.
 *
 * <p>The estimate counts what one image leaves alive during a call. A forward pass keeps every
 * intermediate array until the caller's scope closes, so this is the sum over the network's blocks,
 * not the largest one: a block at a level of C channels and T pixels (or tokens) keeps about {@link
 * #UNET_FLOATS_PER_BLOCK} (UNet: residual or transformer block) or {@link #VAE_FLOATS_PER_BLOCK}
 * (autoencoder: residual or attention block) floats per channel and pixel, measured on the tiny and
 * small models with every kept array counted (views included, so it errs high). Attention scores
 * are freed inside each call ({@link io.diffii.nn.Attention#scaledDotProduct}) and bounded by
 * {@link Compute#chunkBytes()}; three chunks are set aside for them. Classifier-free guidance runs
 * two branches per image, so it counts twice.
 *
 * <p>{@link #apply} runs a call in micro-batches, each in its own scope.
 *
 * <p>Stable Diffusion 1.x at 512 px (64×64 latents): about 5.3 GB per UNet branch and 19 GB per VAE
 * decode, by this count. A budget below one image still runs one at a time.
 */
public final class MicroBatch {

  /** Floats kept per channel and latent pixel by each UNet residual or transformer block. */
  public static final int UNET_FLOATS_PER_BLOCK = 56;

  /** Floats kept per channel and pixel by each autoencoder residual or attention block. */
  public static final int VAE_FLOATS_PER_BLOCK = 25;

  private MicroBatch() {}

  /**
   * Returns the bytes one latent of {@code config}'s sample size keeps alive during a UNet call:
   * {@code 4·UNET_FLOATS_PER_BLOCK·Σ_l blocks_l·C_l·T_l}, over the levels l of C_l channels and T_l
   * = (sampleSize/2^l)² pixels, where blocks_l counts the level's residual and transformer blocks
   * on the way down (layers, and as many transformers times their depth on cross-attention levels),
   * on the way up (layers + 1 of each) and in the middle (two residual blocks and one transformer
   * of the deepest level's depth); twice that with guidance.
   */
  public static long unetBytes(UNetConfig config, boolean guided) {
    long floats = 0;
    int levels = config.levels();
    for (int l = 0; l < levels; l++) {
      long side = config.sampleSize() >> l;
      int layers = config.layersPerBlock().get(l);
      int depth = config.transformerLayersPerBlock().get(l);
      long blocks = layers + (config.downAttention(l) == null ? 0 : (long) layers * depth);
      blocks +=
          layers + 1 + (config.upAttention(levels - 1 - l) == null ? 0 : (layers + 1L) * depth);
      if (l == levels - 1) {
        blocks += 2 + depth;
      }
      floats += blocks * config.blockOutChannels().get(l) * side * side;
    }
    return Math.multiplyExact(floats * UNET_FLOATS_PER_BLOCK * Float.BYTES, guided ? 2L : 1L);
  }

  /**
   * Returns the bytes one image of side {@code side} keeps alive while the encoder of {@code
   * config} runs: {@code 4·VAE_FLOATS_PER_BLOCK·Σ_l blocks_l·C_l·(side/2^l)²}, with {@code layers}
   * residual blocks per level and, at the deepest, the middle's two residual blocks and attention.
   */
  public static long encoderBytes(VaeConfig config, int side) {
    return vaeBytes(config, side, config.layersPerBlock());
  }

  /**
   * Returns the bytes one image of side {@code side} keeps alive while the decoder of {@code
   * config} makes it: as {@link #encoderBytes} with {@code layers + 1} residual blocks per level.
   */
  public static long decoderBytes(VaeConfig config, int side) {
    return vaeBytes(config, side, config.layersPerBlock() + 1);
  }

  private static long vaeBytes(VaeConfig config, int side, int perLevel) {
    List<Integer> channels = config.blockOutChannels();
    long floats = 0;
    for (int l = 0; l < channels.size(); l++) {
      long s = side >> l;
      long blocks = perLevel + (l == channels.size() - 1 ? 3 : 0);
      floats += blocks * channels.get(l) * s * s;
    }
    return floats * VAE_FLOATS_PER_BLOCK * Float.BYTES;
  }

  /**
   * Returns how many items of {@code itemBytes} each fit {@code budget} bytes once three attention
   * chunks ({@link Compute#chunkBytes()}) are set aside: at least one, at most {@code
   * Integer.MAX_VALUE}.
   */
  public static int fit(long itemBytes, long budget) {
    if (itemBytes < 1) {
      throw new IllegalArgumentException("an item takes at least one byte, got " + itemBytes);
    }
    long free = budget - 3 * Compute.chunkBytes();
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, free / itemBytes));
  }

  /** Returns the latents {@code sd}'s UNet denoises at once, with or without guidance. */
  public static int denoising(StableDiffusion sd, boolean guided) {
    return fit(unetBytes(sd.unet().config(), guided), Compute.memoryBytes());
  }

  /** Returns the images {@code sd}'s autoencoder encodes at once, at the model's resolution. */
  public static int encoding(StableDiffusion sd) {
    return fit(encoderBytes(sd.vae().config(), sd.resolution()), Compute.memoryBytes());
  }

  /** Returns the images {@code sd}'s autoencoder decodes at once, at the model's resolution. */
  public static int decoding(StableDiffusion sd) {
    return fit(decoderBytes(sd.vae().config(), sd.resolution()), Compute.memoryBytes());
  }

  /** One micro-batch's work: rows {@code [from, to)} of the input, given as {@code part}. */
  @FunctionalInterface
  public interface Part {
    /** Returns the result for {@code part}, rows {@code [from, to)} of the input. */
    NDArray apply(NDArray part, long from, long to);
  }

  /**
   * Applies {@code f} to the rows of {@code x} (its first axis) in micro-batches of at most {@code
   * size}, each a view in its own scope that is closed once its result has moved to {@code x}'s
   * manager, and returns the results concatenated there. With one micro-batch, {@code f} sees all
   * of {@code x}.
   */
  public static NDArray apply(NDArray x, int size, Part f) {
    if (size < 1) {
      throw new IllegalArgumentException("micro-batch size must be positive, got " + size);
    }
    NDManager manager = x.getManager();
    long n = x.getShape().get(0);
    if (n < 1) {
      throw new IllegalArgumentException("nothing to split: " + x.getShape());
    }
    NDList parts = new NDList();
    for (long from = 0; from < n; from += size) {
      long to = Math.min(n, from + size);
      try (NDManager scope = manager.newSubManager()) {
        NDArray out = f.apply(rows(x, scope, from, to), from, to);
        out.attach(manager);
        parts.add(out);
      }
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    NDArray all = NDArrays.concat(parts);
    parts.close();
    return all;
  }

  /** Returns rows {@code [from, to)} of {@code x} as a view in {@code manager}. */
  public static NDArray rows(NDArray x, NDManager manager, long from, long to) {
    return from == 0 && to == x.getShape().get(0)
        ? x.get(manager, new NDIndex("..."))
        : x.get(manager, new NDIndex("{}:{}", from, to));
  }
}
