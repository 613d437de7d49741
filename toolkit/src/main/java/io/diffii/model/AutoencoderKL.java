package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Conv2d;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;

/**
 * Stable Diffusion's variational autoencoder, as diffusers' {@code AutoencoderKL}, with its
 * parameter names ({@code encoder.*}, {@code decoder.*}, {@code quant_conv}, {@code
 * post_quant_conv}). Images are {@code [B, in, H, W]} in [−1, 1]; latents {@code [B, latent, H/f,
 * W/f]} with f = 2^(levels − 1). Neither {@link #encode} nor {@link #decode} applies {@link
 * #scalingFactor()}: pipelines multiply encoded latents by it and divide by it before decoding.
 */
public final class AutoencoderKL extends NamedBlock {

  private final VaeConfig config;
  private final VaeEncoder encoder;
  private final VaeDecoder decoder;
  private final Conv2d quantConv;
  private final Conv2d postQuantConv;

  /** Builds the autoencoder of {@code config}; parameter shapes are fixed, arrays not allocated. */
  public AutoencoderKL(VaeConfig config) {
    this.config = config;
    long latent = config.latentChannels();
    this.encoder = module("encoder", new VaeEncoder(config));
    this.decoder = module("decoder", new VaeDecoder(config));
    this.quantConv =
        config.useQuantConv()
            ? module("quant_conv", new Conv2d(2 * latent, 2 * latent, 1, 1, 0))
            : null;
    this.postQuantConv =
        config.usePostQuantConv()
            ? module("post_quant_conv", new Conv2d(latent, latent, 1, 1, 0))
            : null;
  }

  /** Returns the configuration this network was built from. */
  public VaeConfig config() {
    return config;
  }

  /** Returns the latent scaling factor of the configuration. */
  public float scalingFactor() {
    return config.scalingFactor();
  }

  /**
   * Encodes {@code images} to the posterior's (mean, log-variance), each {@code [B, latent, h, w]},
   * unscaled; the log-variance is clamped to [−30, 20] as diffusers does. Inference mode.
   */
  public NDList encode(NDArray images) {
    return encode(new ParameterStore(images.getManager(), false), images, false);
  }

  /**
   * Decodes unscaled {@code latents} to images ({@code post_quant_conv} included). Inference mode.
   */
  public NDArray decode(NDArray latents) {
    return decode(new ParameterStore(latents.getManager(), false), latents, false);
  }

  /** Encodes with an explicit parameter store; see {@link #encode(NDArray)}. */
  public NDList encode(ParameterStore store, NDArray images, boolean training) {
    Shape s = images.getShape();
    if (s.dimension() != 4 || s.get(1) != config.inChannels()) {
      throw new IllegalArgumentException(
          "images must be [B, " + config.inChannels() + ", H, W], got " + s);
    }
    NDArray moments = Tensors.call(store, encoder, images, training);
    if (quantConv != null) {
      moments = Tensors.call(store, quantConv, moments, training);
    }
    NDList halves = moments.split(2, 1);
    return new NDList(halves.get(0), halves.get(1).clip(-30f, 20f));
  }

  /** Decodes with an explicit parameter store; see {@link #decode(NDArray)}. */
  public NDArray decode(ParameterStore store, NDArray latents, boolean training) {
    Shape s = latents.getShape();
    if (s.dimension() != 4 || s.get(1) != config.latentChannels()) {
      throw new IllegalArgumentException(
          "latents must be [B, " + config.latentChannels() + ", h, w], got " + s);
    }
    NDArray z =
        postQuantConv == null ? latents : Tensors.call(store, postQuantConv, latents, training);
    return Tensors.call(store, decoder, z, training);
  }

  /** {@inheritDoc} Reconstructs images from the posterior mean, as diffusers' forward does. */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray mean = encode(store, inputs.head(), training).get(0);
    return new NDList(decode(store, mean, training));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), config.outChannels(), s.get(2), s.get(3))};
  }
}
