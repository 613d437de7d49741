package io.diffii.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.diffii.io.Safetensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A training checkpoint: named groups of arrays (weights, optimiser state, moving average), the
 * step reached and the run's root seed, in one safetensors file written atomically, so an
 * interrupted run loses at most the steps since the last save. Random draws are a function of
 * (seed, step), so the pair is the whole random-number position.
 */
public final class Checkpoint {

  /** What a checkpoint holds: the step reached, the root seed and its groups of arrays by name. */
  public record State(long step, long seed, Map<String, Map<String, NDArray>> groups) {
    /** Returns one group, failing clearly if the checkpoint lacks it. */
    public Map<String, NDArray> group(String name) {
      Map<String, NDArray> g = groups.get(name);
      if (g == null) {
        throw new IllegalArgumentException(
            "checkpoint has no group " + name + "; has " + groups.keySet());
      }
      return g;
    }
  }

  private Checkpoint() {}

  /**
   * Writes {@code groups}, {@code step} and {@code seed} to {@code file} (replacing it atomically).
   */
  public static void save(
      Path file, long step, long seed, Map<String, Map<String, NDArray>> groups) {
    Map<String, NDArray> flat = new LinkedHashMap<>();
    groups.forEach((g, arrays) -> arrays.forEach((k, a) -> flat.put(g + "/" + k, a)));
    Safetensors.write(
        file,
        flat,
        Safetensors.Dtype.F32,
        Map.of("step", Long.toString(step), "seed", Long.toString(seed)));
  }

  /** Reads a checkpoint into {@code manager}, or returns empty when {@code file} does not exist. */
  public static Optional<State> load(Path file, NDManager manager) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try (Safetensors st = Safetensors.open(file)) {
      String step = st.metadata().get("step");
      String seed = st.metadata().get("seed");
      if (step == null || seed == null) {
        throw new IllegalArgumentException(
            "checkpoint " + file + " lacks the step or the seed in its metadata");
      }
      Map<String, Map<String, NDArray>> groups = new LinkedHashMap<>();
      for (String name : st.entries().keySet()) {
        int slash = name.indexOf('/');
        if (slash < 0) {
          throw new IllegalArgumentException(
              "checkpoint " + file + " has an ungrouped tensor " + name);
        }
        groups
            .computeIfAbsent(name.substring(0, slash), g -> new LinkedHashMap<>())
            .put(name.substring(slash + 1), st.read(name, manager));
      }
      return Optional.of(new State(Long.parseLong(step), Long.parseLong(seed), groups));
    }
  }

  /**
   * Copies saved arrays into live ones of the same names and shapes, in place: {@code
   * NDArray.set(float[])} would instead swap a live array's storage for a Java buffer, with another
   * memory alignment than the engine's (and so, possibly, other kernels and last bits).
   */
  public static void restore(Map<String, NDArray> live, Map<String, NDArray> saved) {
    live.forEach(
        (k, a) -> {
          NDArray s = saved.get(k);
          if (s == null || !s.getShape().equals(a.getShape())) {
            throw new IllegalArgumentException(
                "checkpoint tensor "
                    + k
                    + " is "
                    + (s == null ? "missing" : s.getShape())
                    + ", expected "
                    + a.getShape());
          }
          a.set(new NDIndex("..."), s);
        });
  }
}
