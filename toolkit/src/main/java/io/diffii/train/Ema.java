package io.diffii.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exponential moving average of weights, \(\bar p ← d·\bar p + (1 − d)·p\), kept in its own
 * manager; sampling from the averaged weights is what makes a short diffusion training usable.
 */
public final class Ema implements Stateful, AutoCloseable {

  private final double decay;
  private final Map<String, NDArray> params;
  private final NDManager manager;
  private final Map<String, NDArray> shadow = new LinkedHashMap<>();

  /** Starts the average at the current values of {@code params}. */
  public Ema(Map<String, NDArray> params, double decay) {
    if (decay < 0 || decay >= 1) {
      throw new IllegalArgumentException("EMA decay must be in [0, 1): " + decay);
    }
    this.decay = decay;
    this.params = new LinkedHashMap<>(params);
    this.manager = params.values().iterator().next().getManager().newSubManager();
    params.forEach(
        (k, p) -> {
          NDArray copy = p.stopGradient().duplicate();
          copy.attach(manager);
          shadow.put(k, copy);
        });
  }

  /** Moves the average one step toward the current weights. */
  public void update() {
    params.forEach(
        (k, p) -> {
          try (NDScope scope = new NDScope()) {
            shadow.get(k).muli(decay).addi(p.stopGradient().mul(1 - decay));
          }
        });
  }

  /** Returns the averaged arrays by name (owned by this object). */
  public Map<String, NDArray> averaged() {
    return shadow;
  }

  /** Returns the averaged arrays, as {@link #averaged()}: they are all a checkpoint needs. */
  @Override
  public Map<String, NDArray> state() {
    return shadow;
  }

  /** Restores an average written from {@link #state()}. */
  @Override
  public void loadState(Map<String, NDArray> state) {
    shadow.forEach(
        (k, s) -> {
          NDArray a = state.get(k);
          if (a == null) {
            throw new IllegalArgumentException("EMA state has no entry for " + k);
          }
          s.set(new NDIndex("..."), a);
        });
  }

  /** {@inheritDoc} */
  @Override
  public void close() {
    manager.close();
  }
}
