package io.diffii.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.diffii.classify.Classifier;
import io.diffii.classify.ResNet;
import io.diffii.io.Safetensors;
import io.diffii.nn.Compute;
import io.diffii.nn.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * LPIPS, the learned perceptual image patch similarity of Zhang et al. (2018), as the {@code lpips}
 * package computes it: for images x, y in [0, 1] and network layers l = 1…L with activations \(\hat
 * f^l\) unit-normalised along channels,
 *
 * <p>\[ d(x, y) = \sum_l \frac{1}{H_l W_l} \sum_{h,w} \sum_c w^l_c \,(\hat f^l_{chw}(x) − \hat
 * f^l_{chw}(y))^2, \qquad \hat f = f / (\lVert f \rVert_2 + 10^{-10}), \]
 *
 * <p>with non-negative per-channel weights \(w^l\) (lpips' 1×1 {@code lin} layers), or \(w^l = 1\)
 * for lpips' {@code lin=False} variant. Two networks:
 *
 * <ul>
 *   <li>{@link #load(Path)}: the published LPIPS (AlexNet, lpips v0.1 weights). Inputs are mapped
 *       to [−1, 1] and through lpips' scaling layer, \((x − \mathrm{shift})/\mathrm{scale}\) with
 *       shift (−.030, −.088, −.188) and scale (.458, .448, .450); the layers are AlexNet's five
 *       ReLU outputs. The folder holds two files converted once from the published ones (nothing is
 *       downloaded):
 *       <pre>
 * # pip install torch torchvision lpips safetensors
 * import lpips, os, torch, torchvision
 * from safetensors.torch import save_file
 * alex = torchvision.models.alexnet(weights="IMAGENET1K_V1").state_dict()
 * save_file({k: v.contiguous() for k, v in alex.items() if k.startswith("features.")},
 *           "alexnet.safetensors")
 * lin = torch.load(os.path.join(os.path.dirname(lpips.__file__), "weights/v0.1/alex.pth"),
 *                  map_location="cpu")
 * save_file({k: v.contiguous() for k, v in lin.items()}, "lpips.safetensors")
 * </pre>
 *       {@code alexnet.safetensors} holds {@code features.N.weight/bias} (N = 0, 3, 6, 8, 10; any
 *       {@code classifier.*} tensors are ignored) and {@code lpips.safetensors} holds {@code
 *       lin0.model.1.weight} … {@code lin4.model.1.weight}, shapes {@code [1, C, 1, 1]} with C =
 *       64, 192, 384, 256, 256.
 *   <li>{@link #embedded}: the same formula over the shipped ResNet backbone's activations (after
 *       the stem and after each stage), with uniform weights — lpips' {@code lin=False} variant,
 *       reported as {@value #EMBEDDED_NAME}. The backbone sees its own input normalisation (images
 *       mapped to [−1, 1], as it was trained), not the scaling layer, which holds ImageNet
 *       statistics for AlexNet.
 * </ul>
 *
 * <p>{@link #meanPairwise} averages d over all unordered pairs of a set of images, or over {@value
 * #MAX_PAIRS} distinct pairs drawn with a seed when the set has more pairs than that (more than 100
 * images).
 */
public final class Lpips implements AutoCloseable {

  /** How the embedded variant is named wherever it is reported. */
  public static final String EMBEDDED_NAME = "LPIPS (lin=False, embedded ResNet)";

  /** How the published variant is named wherever it is reported. */
  public static final String ALEXNET_NAME = "LPIPS (AlexNet, lpips v0.1)";

  /** Pairs {@link #meanPairwise(NDArray)} averages over at most: all pairs of 100 images. */
  public static final int MAX_PAIRS = 4950;

  /** lpips' scaling layer, in [−1, 1] units. */
  private static final float[] SHIFT = {-.030f, -.088f, -.188f};

  private static final float[] SCALE = {.458f, .448f, .450f};

  private static final double EPS = 1e-10;

  private static final int CHUNK = 32;

  private static final int PAIR_CHUNK = 128;

  /** A network's LPIPS layers. */
  @FunctionalInterface
  public interface Features {
    /**
     * Returns the compared activations {@code [B, C_l, H_l, W_l]} of images {@code [B, 3, H, W]} in
     * [0, 1], made in the images' manager.
     */
    List<NDArray> of(NDArray images);
  }

  private final String name;
  private final Features features;
  private final List<NDArray> weights;
  private final NDManager manager;
  private final NDManager network;

  private Lpips(
      String name, Features features, List<NDArray> weights, NDManager manager, NDManager network) {
    this.name = name;
    this.features = features;
    this.weights = weights;
    this.manager = manager;
    this.network = network;
  }

  /**
   * Returns LPIPS over {@code features} with per-layer channel weights {@code weights} (each
   * non-negative; null for lpips' {@code lin=False}, all ones). Arrays made here live in a manager
   * that {@link #close} closes; the network's own weights stay the caller's.
   */
  public static Lpips of(String name, Features features, List<float[]> weights) {
    return create(name, features, weights, null);
  }

  /** As {@link #of}, also closing {@code network} (the manager of a network loaded here). */
  private static Lpips create(
      String name, Features features, List<float[]> weights, NDManager network) {
    NDManager manager = Compute.newManager();
    List<NDArray> w = null;
    if (weights != null) {
      w = new ArrayList<>();
      for (int l = 0; l < weights.size(); l++) {
        float[] layer = weights.get(l);
        for (float v : layer) {
          if (!(v >= 0)) {
            manager.close();
            throw new IllegalArgumentException(
                name + ": layer " + l + " has a negative or NaN weight " + v);
          }
        }
        w.add(manager.create(layer, new Shape(1, layer.length, 1, 1)));
      }
    }
    return new Lpips(name, features, w, manager, network);
  }

  /**
   * Reads the published LPIPS from {@code dir}: {@code alexnet.safetensors} and {@code
   * lpips.safetensors}, converted as the class comment shows.
   */
  public static Lpips load(Path dir) {
    Path alexFile = dir.resolve("alexnet.safetensors");
    Path linFile = dir.resolve("lpips.safetensors");
    for (Path f : List.of(alexFile, linFile)) {
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException(
            "no "
                + f.getFileName()
                + " in "
                + dir.toAbsolutePath()
                + ": convert the published weights as io.diffii.metrics.Lpips's javadoc shows");
      }
    }
    AlexNetFeatures alex = new AlexNetFeatures();
    NDManager net = Compute.newManager();
    try {
      try (NDManager scope = net.newSubManager()) {
        Map<String, NDArray> tensors = Safetensors.readAll(alexFile, scope);
        Set<String> classifier =
            tensors.keySet().stream()
                .filter(k -> k.startsWith("classifier."))
                .collect(Collectors.toSet());
        Weights.load(alex, tensors, net, classifier, alexFile.toString());
      }
      List<float[]> lin = readLin(linFile);
      return create(
          ALEXNET_NAME,
          images ->
              alex.relus(new ParameterStore(images.getManager(), false), scalingLayer(images)),
          lin,
          net);
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }

  /** Reads lpips' {@code lin0.model.1.weight} … {@code lin4.model.1.weight}, strictly. */
  private static List<float[]> readLin(Path file) {
    List<String> problems = new ArrayList<>();
    List<float[]> out = new ArrayList<>();
    try (NDManager scope = Compute.newManager()) {
      Map<String, NDArray> tensors = Safetensors.readAll(file, scope);
      Set<String> expected = new HashSet<>();
      for (int l = 0; l < AlexNetFeatures.CHANNELS.length; l++) {
        String key = "lin" + l + ".model.1.weight";
        expected.add(key);
        Shape shape = new Shape(1, AlexNetFeatures.CHANNELS[l], 1, 1);
        NDArray t = tensors.get(key);
        if (t == null) {
          problems.add("missing " + key + " (expected " + shape + ")");
        } else if (!t.getShape().equals(shape)) {
          problems.add("mis-shaped " + key + ": expected " + shape + ", found " + t.getShape());
        } else {
          out.add(t.toType(DataType.FLOAT32, false).toFloatArray());
        }
      }
      for (String k : new TreeSet<>(tensors.keySet())) {
        if (!expected.contains(k)) {
          problems.add("unexpected " + k + " " + tensors.get(k).getShape());
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          file + " is not lpips v0.1's AlexNet head:\n  " + String.join("\n  ", problems));
    }
    return out;
  }

  /**
   * Returns LPIPS ({@code lin=False}) over the shipped ResNet backbone in {@code backboneDir}
   * ({@code config.json} + {@code model.safetensors} of a {@link ResNet}); see the class comment.
   */
  public static Lpips embedded(Path backboneDir) {
    NDManager net = Compute.newManager();
    try {
      Classifier c = Classifier.load(backboneDir, net);
      if (!(c instanceof ResNet resnet)) {
        throw new IllegalArgumentException(
            backboneDir
                + " holds a "
                + c.config().get("type")
                + " backbone; LPIPS uses the ResNet");
      }
      return create(EMBEDDED_NAME, stages(resnet), null, net);
    } catch (RuntimeException e) {
      net.close();
      throw e;
    }
  }

  /** Returns LPIPS ({@code lin=False}) over {@code backbone}, whose weights stay the caller's. */
  public static Lpips embedded(ResNet backbone) {
    return of(EMBEDDED_NAME, stages(backbone), null);
  }

  private static Features stages(ResNet backbone) {
    return images ->
        backbone.stageFeatures(new ParameterStore(images.getManager(), false), images, false);
  }

  /** Returns the name this measure is reported under. */
  public String name() {
    return name;
  }

  /**
   * Returns d(a_i, b_i) {@code [B]} for two batches {@code [B, 3, H, W]} of images in [0, 1], in
   * {@code a}'s manager.
   */
  public NDArray distance(NDArray a, NDArray b) {
    if (!a.getShape().equals(b.getShape())
        || a.getShape().dimension() != 4
        || a.getShape().get(1) != 3) {
      throw new IllegalArgumentException(
          "LPIPS compares two batches [B, 3, H, W] of one shape, got "
              + a.getShape()
              + " and "
              + b.getShape());
    }
    NDManager m = a.getManager();
    try (NDManager scope = m.newSubManager()) {
      NDArray x = a.duplicate();
      NDArray y = b.duplicate();
      x.attach(scope);
      y.attach(scope);
      NDArray d = distance(features.of(x), features.of(y), weights);
      d.attach(m);
      return d;
    }
  }

  /**
   * The formula on given activations: {@code fa}, {@code fb} are the layers' {@code [B, C, H, W]}
   * of two batches, {@code w} each layer's weights {@code [1, C, 1, 1]} (null: all ones); returns
   * {@code [B]}.
   */
  public static NDArray distance(List<NDArray> fa, List<NDArray> fb, List<NDArray> w) {
    List<NDArray> ua = new ArrayList<>();
    List<NDArray> ub = new ArrayList<>();
    for (int l = 0; l < fa.size(); l++) {
      ua.add(unitNormalize(fa.get(l)));
      ub.add(unitNormalize(fb.get(l)));
    }
    return fromUnit(ua, ub, w);
  }

  /** Sums the layers' weighted, spatially averaged squared differences of unit activations. */
  private static NDArray fromUnit(List<NDArray> ua, List<NDArray> ub, List<NDArray> w) {
    if (w != null && w.size() != ua.size()) {
      throw new IllegalArgumentException(
          "LPIPS has " + w.size() + " layer weights for " + ua.size() + " layers");
    }
    NDArray total = null;
    for (int l = 0; l < ua.size(); l++) {
      NDArray sq = ua.get(l).sub(ub.get(l)).square();
      NDArray perPixel = (w == null ? sq : sq.mul(w.get(l))).sum(new int[] {1});
      NDArray layer = perPixel.reshape(perPixel.getShape().get(0), -1).mean(new int[] {1});
      total = total == null ? layer : total.add(layer);
    }
    return total;
  }

  /** Returns \(f / (\lVert f \rVert_2 + 10^{-10})\), the norm taken along channels (axis 1). */
  public static NDArray unitNormalize(NDArray f) {
    return f.div(f.square().sum(new int[] {1}, true).sqrt().add(EPS));
  }

  /** Maps images in [0, 1] to [−1, 1], then through lpips' scaling layer. */
  public static NDArray scalingLayer(NDArray images) {
    NDManager m = images.getManager();
    NDArray shift = m.create(SHIFT, new Shape(1, 3, 1, 1));
    NDArray scale = m.create(SCALE, new Shape(1, 3, 1, 1));
    return images.mul(2).sub(1).sub(shift).div(scale);
  }

  /** Returns the mean d over the pairs of {@code images} (see the class comment), seed 0. */
  public double meanPairwise(NDArray images) {
    return meanPairwise(images, MAX_PAIRS, 0);
  }

  /**
   * Returns the mean d over all unordered pairs of {@code images} {@code [N, 3, H, W]} in [0, 1]
   * when there are at most {@code maxPairs}, else over {@code maxPairs} distinct pairs drawn
   * uniformly with {@code seed}.
   */
  public double meanPairwise(NDArray images, int maxPairs, long seed) {
    int n = Math.toIntExact(images.getShape().get(0));
    if (n < 2 || maxPairs < 1) {
      throw new IllegalArgumentException(
          "mean pairwise LPIPS needs at least 2 images and 1 pair, got " + n + " and " + maxPairs);
    }
    int[][] pairs = pairs(n, maxPairs, seed);
    NDManager m = images.getManager();
    try (NDManager scope = m.newSubManager()) {
      // Each image's unit activations are computed once; pairs then only index them.
      List<List<NDArray>> chunks = new ArrayList<>();
      for (int from = 0; from < n; from += CHUNK) {
        try (NDManager chunk = scope.newSubManager()) {
          NDArray part = images.get("{}:{}", from, Math.min(n, from + CHUNK));
          part.attach(chunk);
          List<NDArray> unit = new ArrayList<>();
          for (NDArray f : features.of(part)) {
            NDArray u = unitNormalize(f);
            u.attach(scope);
            unit.add(u);
          }
          chunks.add(unit);
        }
      }
      List<NDArray> layers = new ArrayList<>();
      for (int l = 0; l < chunks.get(0).size(); l++) {
        int layer = l;
        layers.add(NDArrays.concat(new NDList(chunks.stream().map(c -> c.get(layer)).toList())));
      }
      double sum = 0;
      for (int from = 0; from < pairs.length; from += PAIR_CHUNK) {
        try (NDManager step = scope.newSubManager()) {
          int to = Math.min(pairs.length, from + PAIR_CHUNK);
          long[] ia = new long[to - from];
          long[] ib = new long[to - from];
          for (int p = from; p < to; p++) {
            ia[p - from] = pairs[p][0];
            ib[p - from] = pairs[p][1];
          }
          NDArray a = step.create(ia);
          NDArray b = step.create(ib);
          List<NDArray> ua = new ArrayList<>();
          List<NDArray> ub = new ArrayList<>();
          for (NDArray f : layers) {
            // Gathered from a view in the step's manager, so the copies are freed with the step.
            NDArray view = f.get(step, new NDIndex("..."));
            ua.add(view.get(new NDIndex("{}", a)));
            ub.add(view.get(new NDIndex("{}", b)));
          }
          sum += fromUnit(ua, ub, weights).sum().getFloat();
        }
      }
      return sum / pairs.length;
    }
  }

  /** All unordered pairs i < j of n items, or {@code max} distinct ones drawn with {@code seed}. */
  static int[][] pairs(int n, int max, long seed) {
    long all = (long) n * (n - 1) / 2;
    if (all <= max) {
      int[][] out = new int[(int) all][];
      int k = 0;
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          out[k++] = new int[] {i, j};
        }
      }
      return out;
    }
    Random rng = new Random(seed);
    Set<Long> seen = new HashSet<>();
    int[][] out = new int[max][];
    int k = 0;
    while (k < max) {
      int i = rng.nextInt(n);
      int j = rng.nextInt(n);
      if (i == j) {
        continue;
      }
      int lo = Math.min(i, j);
      int hi = Math.max(i, j);
      if (seen.add((long) lo * n + hi)) {
        out[k++] = new int[] {lo, hi};
      }
    }
    return out;
  }

  /** {@inheritDoc} Closes the arrays this measure made (and the network it loaded itself). */
  @Override
  public void close() {
    manager.close();
    if (network != null) {
      network.close();
    }
  }
}
