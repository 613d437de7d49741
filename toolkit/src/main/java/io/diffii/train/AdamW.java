package io.diffii.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
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
 * setRequiresGradient(true)}). {@link #step} updates every array that has a gradient and then
 * zeroes it, because DJL accumulates gradients across collectors.
 */
public final class AdamW implements AutoCloseable {

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

  /**
   * Scales all gradients so that their joint L2 norm is at most {@code maxNorm}, as PyTorch's
   * {@code clip_grad_norm_}, and returns the norm before clipping.
   */
  public double clipGradNorm(double maxNorm) {
    // Gradient handles and everything derived from them close with the scope; a gradient array
    // comes back in its parameter's manager, where it would otherwise stay.
    try (NDScope scope = new NDScope()) {
      double sq = 0;
      for (NDArray p : params.values()) {
        sq += p.getGradient().square().sum().getFloat();
      }
      double norm = Math.sqrt(sq);
      double scale = maxNorm / (norm + 1e-6);
      if (scale < 1) {
        for (NDArray p : params.values()) {
          p.getGradient().muli(scale);
        }
      }
      return norm;
    }
  }

  /**
   * Clips the gradients to {@code maxNorm} and takes a step with rate {@code lr}, unless the
   * gradient norm or {@code loss} is not finite: then the gradients are dropped instead, since
   * one such step would turn every weight into NaN. Returns whether it stepped.
   */
  public boolean clipAndStep(double maxNorm, double lr, double loss) {
    double norm = clipGradNorm(maxNorm);
    if (Double.isFinite(norm) && Double.isFinite(loss)) {
      step(lr);
      return true;
    }
    zeroGrad();
    return false;
  }

  /** Zeroes every gradient without updating, e.g. to skip a step whose gradient is not finite. */
  public void zeroGrad() {
    try (NDScope scope = new NDScope()) {
      for (NDArray p : params.values()) {
        // Assigning, not multiplying: 0·∞ would leave NaN behind.
        p.getGradient().set(new NDIndex("..."), 0f);
      }
    }
  }

  /** Applies one update with learning rate {@code lr}, then zeroes the gradients. */
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
        g.subi(g);
      }
    }
  }

  /** Returns the optimiser state (first and second moments by parameter name, and the step). */
  public Map<String, NDArray> state() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    m.forEach((k, a) -> out.put("m." + k, a));
    v.forEach((k, a) -> out.put("v." + k, a));
    out.put("step", stateManager.create(new long[] {t}));
    return out;
  }

  /** Restores a state written by {@link #state()}; names must match. */
  public void loadState(Map<String, NDArray> state) {
    for (String k : params.keySet()) {
      NDArray sm = state.get("m." + k);
      NDArray sv = state.get("v." + k);
      if (sm == null || sv == null) {
        throw new IllegalArgumentException("optimiser state has no moments for parameter " + k);
      }
      m.get(k).set(sm.toFloatArray());
      v.get(k).set(sv.toFloatArray());
    }
    NDArray step = state.get("step");
    if (step == null) {
      throw new IllegalArgumentException("optimiser state has no step counter");
    }
    t = step.toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
  }

  /** {@inheritDoc} */
  @Override
  public void close() {
    stateManager.close();
  }
}
