package io.diffii.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
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

  /**
   * Returns named arrays that live elsewhere (a network's BatchNorm running statistics) as state:
   * saved as they are, restored in place.
   */
  static Stateful of(Map<String, NDArray> arrays) {
    return new Stateful() {
      @Override
      public Map<String, NDArray> state() {
        return arrays;
      }

      @Override
      public void loadState(Map<String, NDArray> state) {
        arrays.forEach(
            (name, a) -> {
              NDArray saved = state.get(name);
              if (saved == null) {
                throw new IllegalArgumentException("saved state has no array " + name);
              }
              a.set(new NDIndex("..."), saved);
            });
      }
    };
  }
}
