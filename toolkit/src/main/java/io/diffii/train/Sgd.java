package io.diffii.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum and L2 weight decay, as PyTorch's {@code
 * torch.optim.SGD}: g ← g + wd·p; b ← μ·b + g; p ← p − lr·b. Parameters are the arrays
 * themselves; {@link #step} zeroes their gradients afterwards.
 */
public final class Sgd implements AutoCloseable {

  private final double momentum;
  private final double weightDecay;
  private final Map<String, NDArray> params;
  private final NDManager stateManager;
  private final Map<String, NDArray> buffers = new LinkedHashMap<>();

  /** Creates an optimiser over named parameter arrays. */
  public Sgd(Map<String, NDArray> params, double momentum, double weightDecay) {
    if (momentum < 0 || momentum >= 1 || weightDecay < 0 || params.isEmpty()) {
      throw new IllegalArgumentException("invalid SGD: momentum " + momentum + ", weight decay " + weightDecay);
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

  /** Applies one update with learning rate {@code lr}, then zeroes the gradients. */
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

  /** {@inheritDoc} */
  @Override
  public void close() {
    stateManager.close();
  }
}
