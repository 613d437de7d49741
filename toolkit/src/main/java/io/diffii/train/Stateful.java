package io.diffii.train;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Training state that a checkpoint saves and restores as one named group of arrays: optimiser
 * moments, a moving average of weights.
 */
public interface Stateful {

  /** Returns the arrays to save, by name; the caller only reads them. */
  Map<String, NDArray> state();

  /** Restores arrays written from {@link #state()}; names must match. */
  void loadState(Map<String, NDArray> state);
}
