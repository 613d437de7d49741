package io.diffii.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum and L2 weight decay, as PyTorch's {@code
 * torch.optim.SGD}: g ← g + wd·p; b ← μ·b + g; p ← p − lr·b. Parameters are the arrays themselves;
 * {@link #step} zeroes their gradients afterwards.
 */
public final class Sgd implements Optimizer {

  private final double momentum;
  private final double weightDecay;
  private final Map<String, NDArray> params;
  private final NDManager stateManager;
  private final Map<String, NDArray> buffers = new LinkedHashMap<>();

  /** Creates an optimiser over named parameter arrays; its momentum buffers start at zero. */
  public Sgd(Map<String, NDArray> params, double momentum, double weightDecay) {
    if (momentum < 0 || momentum >= 1 || weightDecay < 0 || params.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid SGD: momentum " + momentum + ", weight decay " + weightDecay);
    }
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.params = new LinkedHashMap<>(params);
    this.stateManager = params.values().iterator().next().getManager().newSubManager();
    params.forEach(
        (name, p) -> {
          if (!p.hasGradient()) {
            p.setRequiresGradient(true);
          }
          buffers.put(name, stateManager.zeros(p.getShape()));
        });
  }

  /** {@inheritDoc} */
  @Override
  public Map<String, NDArray> parameters() {
    return params;
  }

  /** {@inheritDoc} */
  @Override
  public void step(double lr) {
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      try (NDScope scope = new NDScope()) {
        NDArray g = p.getGradient();
        NDArray d = weightDecay > 0 ? g.add(p.mul(weightDecay)) : g;
        buffers.get(e.getKey()).muli(momentum).addi(d);
        p.subi(buffers.get(e.getKey()).mul(lr));
        g.set(new NDIndex("..."), 0f);
      }
    }
  }

  /** Returns the momentum buffers by parameter name (prefixed {@code momentum.}). */
  @Override
  public Map<String, NDArray> state() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    buffers.forEach((k, b) -> out.put("momentum." + k, b));
    return out;
  }

  /** Restores a state written by {@link #state()}; names must match. */
  @Override
  public void loadState(Map<String, NDArray> state) {
    buffers.forEach(
        (k, b) -> {
          NDArray saved = state.get("momentum." + k);
          if (saved == null) {
            throw new IllegalArgumentException(
                "SGD state has no momentum buffer for parameter " + k);
          }
          b.set(new NDIndex("..."), saved);
        });
  }

  /** {@inheritDoc} */
  @Override
  public void close() {
    stateManager.close();
  }
}
