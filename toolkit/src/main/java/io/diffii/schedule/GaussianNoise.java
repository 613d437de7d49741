package io.diffii.schedule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * Standard normal noise drawn from a {@link Random}, so that a seed fixes the values on every
 * engine and machine (DJL's own random functions follow the engine's global seed instead).
 */
public final class GaussianNoise {

  private GaussianNoise() {}

  /**
   * Returns an array of the given shape and floating type, in {@code manager}, whose elements are
   * successive {@link Random#nextGaussian()} values in row-major order.
   */
  public static NDArray sample(NDManager manager, Shape shape, DataType dataType, Random random) {
    if (!dataType.isFloating()) {
      throw new IllegalArgumentException("Gaussian noise needs a floating type, got " + dataType);
    }
    long size = shape.size();
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("noise of shape " + shape + " is too large for one array");
    }
    double[] values = new double[(int) size];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextGaussian();
    }
    try (NDScope scope = new NDScope()) {
      NDArray noise = manager.create(values, shape).toType(dataType, false);
      NDScope.unregister(noise);
      return noise;
    }
  }
}
