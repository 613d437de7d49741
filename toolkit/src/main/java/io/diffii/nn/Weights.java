package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Copies named tensors into a block's parameters, strictly, and reads them back out. */
public final class Weights {

  private Weights() {}

  /**
   * Sets every parameter of {@code block} from {@code tensors} (by checkpoint name); new arrays are
   * made in {@code manager}. Names in {@code ignored} may be present and are skipped. Any missing,
   * unexpected or mis-shaped tensor fails the whole load with one error that lists each, naming
   * {@code source}; nothing is changed then.
   */
  public static void load(
      NamedBlock block,
      Map<String, NDArray> tensors,
      NDManager manager,
      Set<String> ignored,
      String source) {
    Map<String, Parameter> params = block.stateDict();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      NDArray t = tensors.get(e.getKey());
      if (t == null) {
        problems.add("missing " + e.getKey() + " (expected " + e.getValue().getShape() + ")");
      } else if (!t.getShape().equals(e.getValue().getShape())) {
        problems.add(
            "mis-shaped "
                + e.getKey()
                + ": expected "
                + e.getValue().getShape()
                + ", found "
                + t.getShape());
      } else {
        String bad = nonFinite(t);
        if (bad != null) {
          problems.add(bad + " in " + e.getKey());
        }
      }
    }
    for (String name : new TreeSet<>(tensors.keySet())) {
      if (!params.containsKey(name) && !ignored.contains(name)) {
        problems.add("unexpected " + name + " " + tensors.get(name).getShape());
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          source
              + " does not fit "
              + block.getClass().getSimpleName()
              + " ("
              + problems.size()
              + " problems):\n  "
              + String.join("\n  ", problems));
    }
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      NDArray t = tensors.get(e.getKey()).toType(DataType.FLOAT32, false);
      Parameter p = e.getValue();
      if (p.isInitialized()) {
        p.getArray().set(t.toByteBuffer());
      } else {
        NDArray copy = manager.create(t.toFloatArray(), t.getShape());
        p.setInitializer((m, shape, type) -> copy);
        p.initialize(manager, DataType.FLOAT32);
      }
    }
  }

  /**
   * Returns "3 NaN, 1 inf values" for an array that holds any (an fp16 export that overflowed),
   * else null.
   */
  private static String nonFinite(NDArray t) {
    if (!t.getDataType().isFloating()) {
      return null;
    }
    try (NDManager scope = t.getManager().newSubManager()) {
      NDArray f = t.toType(DataType.FLOAT32, true);
      f.attach(scope);
      long nan = f.isNaN().countNonzero().getLong();
      long inf = f.isInfinite().countNonzero().getLong();
      return nan + inf == 0 ? null : nan + " NaN and " + inf + " infinite values";
    }
  }

  /** Returns the parameter arrays of {@code block} by checkpoint name (all must be allocated). */
  public static Map<String, NDArray> arrays(NamedBlock block) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    block
        .stateDict()
        .forEach(
            (k, p) -> {
              if (!p.isInitialized()) {
                throw new IllegalStateException("parameter " + k + " has no array yet");
              }
              out.put(k, p.getArray());
            });
    return out;
  }

  /**
   * Returns the arrays an optimiser updates, by checkpoint name: every parameter but the buffers
   * (BatchNorm's running statistics), which have no gradient.
   */
  public static Map<String, NDArray> trainable(NamedBlock block) {
    return select(block, true);
  }

  /** Returns the buffers (arrays saved with the weights but never trained), by checkpoint name. */
  public static Map<String, NDArray> buffers(NamedBlock block) {
    return select(block, false);
  }

  private static Map<String, NDArray> select(NamedBlock block, boolean trainable) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    Map<String, NDArray> all = arrays(block);
    block
        .stateDict()
        .forEach(
            (k, p) -> {
              if (p.requiresGradient() == trainable) {
                out.put(k, all.get(k));
              }
            });
    return out;
  }

  /** Returns the number of scalars in {@code block}'s declared parameters, without allocating. */
  public static long count(NamedBlock block) {
    long n = 0;
    for (Parameter p : block.stateDict().values()) {
      Shape s = p.getShape();
      n += s.size();
    }
    return n;
  }
}
