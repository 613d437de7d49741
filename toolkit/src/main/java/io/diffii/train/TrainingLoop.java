package io.diffii.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import io.diffii.io.Interruption;
import io.diffii.io.Progress;
import io.diffii.nn.NoGrad;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.LongConsumer;
import java.util.function.LongToDoubleFunction;

/**
 * The one training loop: steps {@code start..total}, each in its own NDManager scope with its own
 * random generator split from one root seed by the step index, a backward pass, gradient clipping,
 * the optimisers' updates, and a checkpoint every few steps and after the last one. A trainer
 * supplies only its loss and learning-rate schedule:
 *
 * <pre>{@code
 * TrainingLoop.Result r = TrainingLoop.named("autoencoder", steps, seed)
 *     .optimize("model", adamw, step -> LearningRate.warmupCosine(lr, warmup, steps, (int) step))
 *     .clipTo(1.0)
 *     .checkpoint(dir.resolve("ckpt.safetensors"), 100)
 *     .run((step, rng, scope) -> loss(scope, rng));
 * }</pre>
 *
 * <p>Since a step's draws depend only on (seed, step) and never on the engine's global generator, a
 * run resumed from its checkpoint draws exactly what an uninterrupted run draws. A step whose loss
 * or gradient norm is not finite is dropped (its gradients zeroed, no update), counted in the
 * {@link Result} and shown on the progress line. Interrupting the thread stops the run before its
 * next step ({@link Interruption}); the checkpoint then resumes it.
 */
public final class TrainingLoop {

  /** The loss of one step, built inside the gradient collector. */
  @FunctionalInterface
  public interface Loss {
    /**
     * Returns the scalar loss of step {@code step}, drawing every random choice from {@code rng}
     * and creating its arrays in {@code scope}, which closes when the step ends.
     */
    NDArray compute(long step, Random rng, NDManager scope);
  }

  /**
   * What a run did.
   *
   * @param resumedFrom the step the run started at (0, or the step its checkpoint reached)
   * @param reached the step reached when it stopped
   * @param losses the loss of each step run, from {@code resumedFrom}, non-finite ones included
   * @param skippedSteps steps dropped because the loss or a gradient norm was not finite
   * @param seconds wall time of the run
   */
  public record Result(
      long resumedFrom, long reached, List<Double> losses, int skippedSteps, double seconds) {}

  private record Group(Optimizer optimizer, LongToDoubleFunction lr) {}

  private final String label;
  private final long total;
  private final long seed;
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final Map<String, Stateful> states = new LinkedHashMap<>();
  private final List<LongConsumer> afterStep = new ArrayList<>();
  private double maxNorm = Double.POSITIVE_INFINITY;
  private Path checkpoint;
  private int checkpointEvery = Integer.MAX_VALUE;
  private long stopAfter = Long.MAX_VALUE;
  private PrintStream out = System.err;
  private boolean inPlace = System.console() != null;

  private TrainingLoop(String label, long total, long seed) {
    if (total <= 0) {
      throw new IllegalArgumentException(
          label + ": a training run needs at least one step, got " + total);
    }
    this.label = label;
    this.total = total;
    this.seed = seed;
  }

  /**
   * Starts a loop of {@code total} steps whose draws all derive from {@code seed}; {@code label}
   * names it on the progress line.
   */
  public static TrainingLoop named(String label, long total, long seed) {
    return new TrainingLoop(label, total, seed);
  }

  /**
   * Returns the generator of draw {@code index} in stream {@code stream} of root seed {@code seed};
   * the loop gives step k the generator {@code random(seed, 0, k)}, so trainers use other streams
   * (e.g. one per epoch for the data order, one for initialisation).
   */
  public static Random random(long seed, long stream, long index) {
    return new Random(mix(mix(mix(0x9E3779B97F4A7C15L, seed), stream), index));
  }

  // SplitMix64's finaliser: neighbouring seeds and steps give unrelated generators, which
  // seed·c + step does not (seed 1 step 0 and seed 0 step c would coincide).
  private static long mix(long h, long v) {
    long z = h + v * 0xBF58476D1CE4E5B9L + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Trains {@code optimizer}'s parameters at rate {@code lr(step)}. The checkpoint saves them as
   * group {@code name} and the optimiser's state as {@code name_optimizer}.
   */
  public TrainingLoop optimize(String name, Optimizer optimizer, LongToDoubleFunction lr) {
    put(name, groups, new Group(optimizer, lr));
    return this;
  }

  /** Saves and restores {@code state} (e.g. a moving average) as checkpoint group {@code name}. */
  public TrainingLoop state(String name, Stateful state) {
    put(name, states, state);
    return this;
  }

  /**
   * Runs {@code hook} with the step index after every step, dropped ones included (e.g. an EMA
   * update).
   */
  public TrainingLoop afterStep(LongConsumer hook) {
    afterStep.add(hook);
    return this;
  }

  /** Clips each optimiser's gradients to joint L2 norm {@code norm} (default: no clipping). */
  public TrainingLoop clipTo(double norm) {
    if (!(norm > 0)) {
      throw new IllegalArgumentException("clipping norm must be positive, got " + norm);
    }
    this.maxNorm = norm;
    return this;
  }

  /**
   * Resumes from {@code file} when it exists, and writes it every {@code every} steps and after the
   * last step of the run (default: no checkpoint).
   */
  public TrainingLoop checkpoint(Path file, int every) {
    if (every <= 0) {
      throw new IllegalArgumentException("checkpoint interval must be positive, got " + every);
    }
    this.checkpoint = file;
    this.checkpointEvery = every;
    return this;
  }

  /**
   * Stops after step {@code step} with a checkpoint, as an interrupted run would; the learning
   * rates still follow the schedule of all steps.
   */
  public TrainingLoop stopAfter(long step) {
    this.stopAfter = step;
    return this;
  }

  /** Writes the progress line to {@code stream}, one line per report (default: standard error). */
  public TrainingLoop reportTo(PrintStream stream) {
    this.out = stream;
    this.inPlace = false;
    return this;
  }

  /** Turns the progress line off. */
  public TrainingLoop quiet() {
    this.out = null;
    return this;
  }

  /** Runs the steps left (all, or those after the checkpoint's) and returns what it did. */
  public Result run(Loss loss) {
    if (groups.isEmpty()) {
      throw new IllegalStateException(label + ": nothing to train; add an optimiser");
    }
    // The optimisers update parameters in place, which autograd refuses while it records; a
    // notebook cell's fresh thread records by default (see NoGrad).
    try (NoGrad off = NoGrad.open()) {
      return steps(loss);
    }
  }

  private Result steps(Loss loss) {
    long startNanos = System.nanoTime();
    NDManager root = firstParameter().getManager();
    long start = resume(root);
    long end = Math.min(total, Math.max(start, stopAfter));
    Progress progress = out == null ? null : new Progress(label, total, out, inPlace);
    if (progress != null) {
      progress.resumed(start);
    }
    List<Double> losses = new ArrayList<>();
    int skipped = 0;
    for (long step = start; step < end; step++) {
      Interruption.check(label + " before step " + step);
      double value;
      // The sub-manager owns the step's own arrays; the NDScope also closes those that land in
      // the parameters' managers (gradient handles, results of ops on a parameter first).
      try (NDManager scope = root.newSubManager();
          NDScope arrays = new NDScope()) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray l = loss.compute(step, random(seed, 0, step), scope);
          gc.backward(l);
          value = l.getFloat();
        }
        if (!update(step, value)) {
          skipped++;
        }
        for (LongConsumer hook : afterStep) {
          hook.accept(step);
        }
        if ((step + 1) % checkpointEvery == 0 || step + 1 == end) {
          save(step + 1);
        }
      }
      losses.add(value);
      if (progress != null) {
        progress.advance(1, String.format(Locale.ROOT, "loss %.4f skipped %d", value, skipped));
      }
    }
    return new Result(
        start, end, List.copyOf(losses), skipped, (System.nanoTime() - startNanos) / 1e9);
  }

  /**
   * Clips every group, then steps them all, or drops the step for all of them; returns whether it
   * stepped.
   */
  private boolean update(long step, double loss) {
    boolean finite = Double.isFinite(loss);
    for (Group g : groups.values()) {
      finite &= Double.isFinite(g.optimizer().clipGradNorm(maxNorm));
    }
    for (Group g : groups.values()) {
      if (finite) {
        g.optimizer().step(g.lr().applyAsDouble(step));
      } else {
        g.optimizer().zeroGrad();
      }
    }
    return finite;
  }

  private void save(long step) {
    if (checkpoint == null) {
      return;
    }
    Map<String, Map<String, NDArray>> saved = new LinkedHashMap<>();
    groups.forEach(
        (name, g) -> {
          saved.put(name, g.optimizer().parameters());
          saved.put(name + "_optimizer", g.optimizer().state());
        });
    states.forEach((name, s) -> saved.put(name, s.state()));
    Checkpoint.save(checkpoint, step, seed, saved);
  }

  private long resume(NDManager root) {
    if (checkpoint == null) {
      return 0;
    }
    try (NDManager scope = root.newSubManager()) {
      return Checkpoint.load(checkpoint, scope)
          .map(
              state -> {
                if (state.seed() != seed || state.step() > total) {
                  throw new IllegalArgumentException(
                      String.format(
                          Locale.ROOT,
                          "%s: checkpoint %s is of another run (seed %d, step %d; this run: seed %d, %d steps);"
                              + " delete it to start afresh",
                          label,
                          checkpoint,
                          state.seed(),
                          state.step(),
                          seed,
                          total));
                }
                groups.forEach(
                    (name, g) -> {
                      Checkpoint.restore(g.optimizer().parameters(), state.group(name));
                      g.optimizer().loadState(state.group(name + "_optimizer"));
                    });
                states.forEach((name, s) -> s.loadState(state.group(name)));
                return state.step();
              })
          .orElse(0L);
    }
  }

  private NDArray firstParameter() {
    return groups.values().iterator().next().optimizer().parameters().values().iterator().next();
  }

  private <T> void put(String name, Map<String, T> into, T value) {
    if (name.contains("/")
        || name.endsWith("_optimizer")
        || groups.containsKey(name)
        || states.containsKey(name)) {
      throw new IllegalArgumentException(
          label
              + ": checkpoint group name "
              + name
              + " is taken, ends with _optimizer or has a '/'");
    }
    into.put(name, value);
  }
}
