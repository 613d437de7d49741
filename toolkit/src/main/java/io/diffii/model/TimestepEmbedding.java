package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.diffii.nn.Linear;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Tensors;

/**
 * The UNet's time embedding, as diffusers' {@code Timesteps} followed by {@code TimestepEmbedding}:
 * the sinusoidal features of {@link #sinusoidal} pass through {@code linear_1}, SiLU and {@code
 * linear_2}. Input {@code [B, D]} features, output {@code [B, T]}.
 */
public final class TimestepEmbedding extends NamedBlock {

  private final Linear linear1;
  private final Linear linear2;

  /** Creates an embedding from {@code in} sinusoidal features to {@code out} channels. */
  public TimestepEmbedding(long in, long out) {
    this.linear1 = module("linear_1", new Linear(in, out));
    this.linear2 = module("linear_2", new Linear(out, out));
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray h = Tensors.silu(Tensors.call(store, linear1, inputs.head(), training));
    return linear2.forward(store, new NDList(h), training);
  }

  /**
   * Sinusoidal timestep features (DDPM; diffusers' {@code get_timestep_embedding} with max period
   * 10⁴): for \(k &lt; \lfloor D/2 \rfloor = n\), frequency \(f_k = \exp(−\ln(10^4)\,k/(n − s))\)
   * with the frequency shift s, features \([\sin(t f), \cos(t f)]\), swapped to \([\cos, \sin]\)
   * when {@code flipSinToCos}, and a zero column appended when D is odd. Input {@code [B]}
   * timesteps (any numeric type), output {@code [B, D]} float32.
   */
  public static NDArray sinusoidal(
      NDArray timesteps, int dim, boolean flipSinToCos, float freqShift) {
    int half = dim / 2;
    NDArray exponent =
        timesteps
            .getManager()
            .arange(0, half, 1, DataType.FLOAT32)
            .mul(-Math.log(10000))
            .div(half - freqShift);
    NDArray angles =
        timesteps
            .toType(DataType.FLOAT32, false)
            .reshape(-1, 1)
            .mul(exponent.exp().reshape(1, half));
    NDArray sin = angles.sin();
    NDArray cos = angles.cos();
    NDArray features =
        NDArrays.concat(flipSinToCos ? new NDList(cos, sin) : new NDList(sin, cos), 1);
    return dim % 2 == 0 ? features : features.pad(new Shape(0, 1), 0);
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), linear2.outFeatures())};
  }
}
