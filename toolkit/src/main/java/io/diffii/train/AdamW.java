package io.diffii.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov &amp; Hutter, 2019), as PyTorch's {@code
 * torch.optim.AdamW}:
 *
 * <pre>
 * m ← β1·m + (1−β1)·g          v ← β2·v + (1−β2)·g²
 * p ← p − lr·wd·p − lr·(m/(1−β1^t)) / (√(v/(1−β2^t)) + ε)
 * </pre>
 *
 * <p>Parameters are the arrays themselves, each with a gradient attached ({@code
 * setRequiresGradient(true)}). {@link #step} updates every array and then zeroes its gradient,
 * because DJL accumulates gradients across collectors.
 */
public final class AdamW implements Optimizer {

  /** Hyperparameters; the defaults are PyTorch's except weight decay, which callers choose. */
  public record Config(double beta1, double beta2, double eps, double weightDecay) {
    /** Validates the ranges. */
    public Config {
      if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || eps <= 0 || weightDecay < 0) {
        throw new IllegalArgumentException("invalid AdamW config " + this);
      }
    }

    /** Returns β = (0.9, 0.999), ε = 1e-8 and the given weight decay. */
    public static Config withWeightDecay(double weightDecay) {
      return new Config(0.9, 0.999, 1e-8, weightDecay);
    }
  }

  private final Config config;
  private final Map<String, NDArray> params;
  private final NDManager stateManager;
  private final Map<String, NDArray> m = new LinkedHashMap<>();
  private final Map<String, NDArray> v = new LinkedHashMap<>();
  private long t;

  /** Creates an optimiser over named parameter arrays; its state lives in its own manager. */
  public AdamW(Map<String, NDArray> params, Config config) {
    if (params.isEmpty()) {
      throw new IllegalArgumentException("AdamW needs at least one parameter");
    }
    this.config = config;
    this.params = new LinkedHashMap<>(params);
    this.stateManager = params.values().iterator().next().getManager().newSubManager();
    params.forEach(
        (name, p) -> {
          if (!p.hasGradient()) {
            p.setRequiresGradient(true);
          }
          m.put(name, stateManager.zeros(p.getShape()));
          v.put(name, stateManager.zeros(p.getShape()));
        });
  }

  /** Returns the number of updates taken. */
  public long steps() {
    return t;
  }

  /** {@inheritDoc} */
  @Override
  public Map<String, NDArray> parameters() {
    return params;
  }

  /** {@inheritDoc} */
  @Override
  public void step(double lr) {
    t++;
    double bc1 = 1 - Math.pow(config.beta1(), t);
    double bc2 = 1 - Math.pow(config.beta2(), t);
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      // Parameters and moments change in place; every temporary closes with the scope.
      try (NDScope scope = new NDScope()) {
        NDArray g = p.getGradient();
        NDArray mi = m.get(e.getKey());
        NDArray vi = v.get(e.getKey());
        mi.muli(config.beta1()).addi(g.mul(1 - config.beta1()));
        vi.muli(config.beta2()).addi(g.square().muli(1 - config.beta2()));
        if (config.weightDecay() > 0) {
          p.muli(1 - lr * config.weightDecay());
        }
        NDArray denom = vi.div(bc2).sqrt().addi(config.eps());
        p.subi(mi.div(denom).muli(lr / bc1));
        // Assigning, not g − g: that leaves NaN behind where g holds NaN or ∞.
        g.set(new NDIndex("..."), 0f);
      }
    }
  }

  /** Returns the optimiser state (first and second moments by parameter name, and the step). */
  @Override
  public Map<String, NDArray> state() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    m.forEach((k, a) -> out.put("m." + k, a));
    v.forEach((k, a) -> out.put("v." + k, a));
    out.put("step", stateManager.create(new long[] {t}));
    return out;
  }

  /** Restores a state written by {@link #state()}; names must match. */
  @Override
  public void loadState(Map<String, NDArray> state) {
    for (String k : params.keySet()) {
      NDArray sm = state.get("m." + k);
      NDArray sv = state.get("v." + k);
      if (sm == null || sv == null) {
        throw new IllegalArgumentException("optimiser state has no moments for parameter " + k);
      }
      // Copied in place, as Checkpoint.restore, so the moments keep the engine's own storage.
      m.get(k).set(new NDIndex("..."), sm);
      v.get(k).set(new NDIndex("..."), sv);
    }
    NDArray step = state.get("step");
    if (step == null) {
      throw new IllegalArgumentException("optimiser state has no step counter");
    }
    t = step.toType(DataType.INT64, false).getLong();
  }

  /** {@inheritDoc} */
  @Override
  public void close() {
    stateManager.close();
  }
}
