package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import io.diffii.io.Safetensors;
import io.diffii.nn.Compute;
import io.diffii.nn.Linear;
import io.diffii.nn.LoraAdapter;
import io.diffii.nn.NamedBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Injects, saves and loads LoRA adapters by module path. The adapters attach to {@link Linear}
 * layers, so the blocks that own those layers do not know about them.
 *
 * <p>Files use the key naming diffusers writes for UNet LoRA today: {@code unet.<module
 * path>.lora_A.weight} (down) and {@code .lora_B.weight} (up), {@code text_encoder.<path>…} for the
 * text encoder. The older attention-processor naming, {@code <attention
 * path>.processor.to_q_lora.down.weight} / {@code .up.weight} (to_k, to_v, to_out → {@code
 * to_out.0}), is accepted on load, with or without a {@code unet.} prefix.
 */
public final class Lora {

  /** The UNet attention projections Diff-Mix's recipe adapts (self- and cross-attention). */
  public static final Set<String> UNET_TARGETS = Set.of("to_q", "to_k", "to_v", "to_out.0");

  /** The CLIP text encoder's attention projections, for optional text-encoder LoRA. */
  public static final Set<String> TEXT_TARGETS = Set.of("q_proj", "k_proj", "v_proj", "out_proj");

  private static final Pattern OLD_NAMING =
      Pattern.compile(
          "^(?:unet\\.)?(.+)\\.processor\\.(to_q|to_k|to_v|to_out)_lora\\.(down|up)\\.weight$");

  private Lora() {}

  /**
   * Attaches a fresh rank-{@code rank} adapter to every {@link Linear} under {@code root} whose
   * module path ends with one of {@code targets}, and returns the adapters by module path.
   */
  public static Map<String, LoraAdapter> inject(
      NamedBlock root, Set<String> targets, int rank, float alpha, NDManager manager) {
    Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
    linears(root, "")
        .forEach(
            (path, linear) -> {
              for (String t : targets) {
                if (path.equals(t) || path.endsWith("." + t)) {
                  LoraAdapter a =
                      LoraAdapter.create(
                          linear.inFeatures(), linear.outFeatures(), rank, alpha, manager);
                  linear.setAdapter(a);
                  adapters.put(path, a);
                }
              }
            });
    if (adapters.isEmpty()) {
      throw new IllegalArgumentException(
          "no linear layer of the block ends with any of " + targets);
    }
    return adapters;
  }

  /** Returns the module paths under {@code root} whose {@link Linear} carries an adapter. */
  public static List<String> adapted(NamedBlock root) {
    List<String> out = new ArrayList<>();
    linears(root, "")
        .forEach(
            (path, linear) -> {
              if (linear.adapter() != null) {
                out.add(path);
              }
            });
    return out;
  }

  /**
   * Removes the adapters at {@code paths} under {@code root}; the layers compute as before
   * injection.
   */
  public static void remove(NamedBlock root, Collection<String> paths) {
    Map<String, Linear> linears = linears(root, "");
    paths.forEach(path -> linears.get(path).setAdapter(null));
  }

  /** Returns every {@link Linear} under {@code block} by module path. */
  static Map<String, Linear> linears(NamedBlock block, String prefix) {
    Map<String, Linear> out = new LinkedHashMap<>();
    for (Map.Entry<String, Block> e : block.modules().entrySet()) {
      String path = prefix + e.getKey();
      if (e.getValue() instanceof Linear linear) {
        out.put(path, linear);
      } else if (e.getValue() instanceof NamedBlock child) {
        out.putAll(linears(child, path + "."));
      }
    }
    return out;
  }

  /** Freezes every parameter of {@code block}, so only adapters (and extra rows) train. */
  public static void freeze(NamedBlock block) {
    block.stateDict().values().forEach(p -> p.freeze(true));
  }

  /** Returns the adapters' arrays by file key (for an optimiser or a checkpoint). */
  public static Map<String, NDArray> arrays(String component, Map<String, LoraAdapter> adapters) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    adapters.forEach(
        (path, a) -> {
          out.put(component + "." + path + ".lora_A.weight", a.down());
          out.put(component + "." + path + ".lora_B.weight", a.up());
        });
    return out;
  }

  /** Writes the adapters of {@code component} ("unet" or "text_encoder") to a safetensors file. */
  public static void save(Path file, String component, Map<String, LoraAdapter> adapters) {
    LoraAdapter any = adapters.values().iterator().next();
    long rank = any.down().getShape().get(0);
    Safetensors.write(
        file,
        arrays(component, adapters),
        Safetensors.Dtype.F32,
        Map.of(
            "format",
            "pt",
            "lora_rank",
            Long.toString(rank),
            "lora_alpha",
            Float.toString(any.scale() * rank)));
  }

  /**
   * Copies saved adapter weights into {@code adapters} (already injected); both namings are read.
   * Every adapter must be found, and every LoRA tensor of the component must fit one.
   */
  public static void load(Path file, String component, Map<String, LoraAdapter> adapters) {
    try (NDManager scope = Compute.newManager()) {
      Map<String, NDArray> found = new TreeMap<>();
      for (Map.Entry<String, NDArray> e : Safetensors.readAll(file, scope).entrySet()) {
        String key = e.getKey();
        Matcher old = OLD_NAMING.matcher(key);
        if (old.matches()) {
          String proj = old.group(2).equals("to_out") ? "to_out.0" : old.group(2);
          String ab = old.group(3).equals("down") ? "lora_A" : "lora_B";
          found.put(old.group(1) + "." + proj + "." + ab, e.getValue());
        } else if (key.startsWith(component + ".") && key.endsWith(".weight")) {
          found.put(
              key.substring(component.length() + 1, key.length() - ".weight".length()),
              e.getValue());
        }
      }
      List<String> problems = new ArrayList<>();
      adapters.forEach(
          (path, a) -> {
            copy(found.remove(path + ".lora_A"), a.down(), path + ".lora_A", problems);
            copy(found.remove(path + ".lora_B"), a.up(), path + ".lora_B", problems);
          });
      found.keySet().forEach(k -> problems.add("unexpected " + k));
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "LoRA file "
                + file
                + " does not fit the "
                + component
                + ":\n  "
                + String.join("\n  ", problems));
      }
    }
  }

  private static void copy(NDArray saved, NDArray live, String name, List<String> problems) {
    if (saved == null) {
      problems.add("missing " + name);
    } else if (!saved.getShape().equals(live.getShape())) {
      problems.add(
          "mis-shaped " + name + ": expected " + live.getShape() + ", found " + saved.getShape());
    } else {
      live.set(saved.toFloatArray());
    }
  }
}
