package io.diffii.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.diffii.classify.Backbone;
import io.diffii.embedded.Embedded;
import io.diffii.io.Safetensors;
import io.diffii.nn.Conv2d;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LpipsTest {

  @TempDir Path dir;

  /** A tiny random two-layer network: conv 3→4 (3×3) + ReLU, then conv 4→5 (stride 2) + ReLU. */
  private static final class TinyNet {
    final Conv2d first = new Conv2d(3, 4, 3, 1, 1);
    final Conv2d second = new Conv2d(4, 5, 3, 2, 1);

    TinyNet(NDManager m) {
      Engine.getInstance().setRandomSeed(3);
      first.initializeParameters(m);
      second.initializeParameters(m);
    }

    List<NDArray> features(NDArray images) {
      NDArray h1 = Activation.relu(first.apply(images, false));
      NDArray h2 = Activation.relu(second.apply(h1, false));
      return List.of(h1, h2);
    }
  }

  @Test
  void formulaMatchesAnIndependentComputationOnATinyRandomNetwork() {
    try (NDManager m = NDManager.newBaseManager()) {
      TinyNet net = new TinyNet(m);
      List<float[]> w = List.of(new float[] {0.1f, 0.7f, 0f, 1.3f}, new float[] {2, 0.5f, 0, 1, 3});
      NDArray a = images(m, 3, 8, 1);
      NDArray b = images(m, 3, 8, 2);
      try (Lpips weighted = Lpips.of("tiny", net::features, w);
          Lpips uniform = Lpips.of("tiny lin=False", net::features, null)) {
        float[] got = weighted.distance(a, b).toFloatArray();
        float[] gotUniform = uniform.distance(a, b).toFloatArray();
        double[] expected = reference(net.features(a), net.features(b), w);
        double[] expectedUniform = reference(net.features(a), net.features(b), null);
        for (int i = 0; i < 3; i++) {
          assertEquals(expected[i], got[i], 1e-5 * Math.max(1, expected[i]), "weighted " + i);
          assertEquals(expectedUniform[i], gotUniform[i], 1e-5, "uniform " + i);
          assertTrue(got[i] > 0, "distinct images are apart");
        }
      }
    }
  }

  @Test
  void identicalImagesAreAtZeroAndSwappingAPairChangesNothing() {
    try (NDManager m = NDManager.newBaseManager()) {
      TinyNet net = new TinyNet(m);
      NDArray a = images(m, 4, 8, 5);
      NDArray b = images(m, 4, 8, 6);
      try (Lpips lpips = Lpips.of("tiny", net::features, null)) {
        assertArrayEquals(new float[4], lpips.distance(a, a.duplicate()).toFloatArray(), 0f);
        assertArrayEquals(
            lpips.distance(a, b).toFloatArray(), lpips.distance(b, a).toFloatArray(), 0f);
      }
    }
  }

  @Test
  void unitNormalisationMakesTheDistanceBlindToTheActivationsScale() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(9);
      List<NDArray> fa = List.of(m.randomNormal(new Shape(2, 6, 4, 4)));
      List<NDArray> fb = List.of(m.randomNormal(new Shape(2, 6, 4, 4)));
      List<NDArray> w = List.of(m.randomUniform(0, 1, new Shape(1, 6, 1, 1)));
      float[] plain = Lpips.distance(fa, fb, w).toFloatArray();
      float[] scaled =
          Lpips.distance(List.of(fa.get(0).mul(37f)), List.of(fb.get(0).mul(0.02f)), w)
              .toFloatArray();
      assertArrayEquals(plain, scaled, 1e-5f);
      NDArray unit = Lpips.unitNormalize(fa.get(0));
      float[] norms = unit.square().sum(new int[] {1}).sqrt().toFloatArray();
      for (float n : norms) {
        assertEquals(1f, n, 1e-5f);
      }
    }
  }

  @Test
  void meanPairwiseAveragesEveryPairOrASeededSubset() {
    try (NDManager m = NDManager.newBaseManager()) {
      TinyNet net = new TinyNet(m);
      NDArray x = images(m, 4, 8, 7);
      try (Lpips lpips = Lpips.of("tiny", net::features, null)) {
        double sum = 0;
        for (int i = 0; i < 4; i++) {
          for (int j = i + 1; j < 4; j++) {
            sum += lpips.distance(x.get("{}:{}", i, i + 1), x.get("{}:{}", j, j + 1)).getFloat();
          }
        }
        assertEquals(sum / 6, lpips.meanPairwise(x), 1e-6);
      }
    }
    int[][] subset = Lpips.pairs(200, 50, 4);
    assertEquals(50, subset.length);
    assertEquals(
        50,
        java.util.Arrays.stream(subset).map(p -> p[0] * 200 + p[1]).distinct().count(),
        "drawn pairs are distinct");
    for (int[] p : subset) {
      assertTrue(p[0] < p[1], "pairs are unordered, i < j");
    }
    assertArrayEquals(subset, Lpips.pairs(200, 50, 4));
    assertEquals(Lpips.MAX_PAIRS, Lpips.pairs(100, Lpips.MAX_PAIRS, 0).length);
  }

  @Test
  void diversityAveragesEachClassesPairwiseDistance() {
    try (NDManager m = NDManager.newBaseManager()) {
      TinyNet net = new TinyNet(m);
      float[] a = images(m, 1, 8, 41).toFloatArray();
      float[] b = images(m, 1, 8, 42).toFloatArray();
      try (Lpips lpips = Lpips.of("tiny", net::features, null)) {
        double ab =
            lpips
                .distance(m.create(a, new Shape(1, 3, 8, 8)), m.create(b, new Shape(1, 3, 8, 8)))
                .getFloat();
        // Class 0: two identical images (0); class 1: a and b; class 2: a single image, no pair.
        Map<Integer, List<float[]>> byClass =
            Map.of(0, List.of(a, a.clone()), 1, List.of(a, b), 2, List.of(b));
        assertEquals(ab / 2, SetMetrics.diversity(lpips, byClass, 8, 8), 1e-6);
      }
    }
  }

  @Test
  void loadsThePublishedFileNamesAndMatchesAnIndependentAlexNet() {
    Random rng = new Random(11);
    Map<String, float[]> alex = randomAlexNet(rng);
    List<float[]> lin = new ArrayList<>();
    for (int c : AlexNetFeatures.CHANNELS) {
      float[] w = new float[c];
      for (int i = 0; i < c; i++) {
        w[i] = rng.nextFloat();
      }
      lin.add(w);
    }
    writeFiles(alex, lin, true);
    try (NDManager m = NDManager.newBaseManager();
        Lpips lpips = Lpips.load(dir)) {
      assertEquals(Lpips.ALEXNET_NAME, lpips.name());
      int side = 64;
      NDArray a = images(m, 2, side, 21);
      NDArray b = images(m, 2, side, 22);
      float[] got = lpips.distance(a, b).toFloatArray();
      float[] pa = a.toFloatArray();
      float[] pb = b.toFloatArray();
      int per = 3 * side * side;
      for (int i = 0; i < 2; i++) {
        float[] xa = java.util.Arrays.copyOfRange(pa, i * per, (i + 1) * per);
        float[] xb = java.util.Arrays.copyOfRange(pb, i * per, (i + 1) * per);
        double expected = referenceAlex(alex, lin, xa, xb, side);
        assertEquals(expected, got[i], 1e-4 * expected, "pair " + i);
      }
      assertArrayEquals(new float[2], lpips.distance(a, a.duplicate()).toFloatArray(), 0f);
      var tooSmall = images(m, 1, 16, 1);
      assertThrows(IllegalArgumentException.class, () -> lpips.distance(tooSmall, tooSmall));
    }
  }

  @Test
  void loadingNamesEveryMissingOrMisshapedHeadTensor() {
    Random rng = new Random(1);
    Map<String, float[]> alex = randomAlexNet(rng);
    List<float[]> lin = new ArrayList<>();
    for (int c : AlexNetFeatures.CHANNELS) {
      lin.add(new float[c]);
    }
    lin.set(2, new float[5]);
    writeFiles(alex, lin, false);
    var e = assertThrows(IllegalArgumentException.class, () -> Lpips.load(dir));
    assertTrue(
        e.getMessage().contains("mis-shaped lin2.model.1.weight: expected (1, 384, 1, 1)"),
        e.getMessage());
    var missing = assertThrows(IllegalArgumentException.class, () -> Lpips.load(dir.resolve("x")));
    assertTrue(missing.getMessage().contains("alexnet.safetensors"), missing.getMessage());
  }

  @Test
  void embeddedVariantRunsOnTheShippedResNet() {
    try (NDManager m = NDManager.newBaseManager();
        Lpips lpips = Lpips.embedded(Embedded.backbone(Backbone.RESNET))) {
      assertEquals("LPIPS (lin=False, embedded ResNet)", lpips.name());
      NDArray a = images(m, 3, 32, 31);
      NDArray b = images(m, 3, 32, 32);
      float[] d = lpips.distance(a, b).toFloatArray();
      for (float v : d) {
        // Four layers, each at most 4 (unit vectors are at most 2 apart).
        assertTrue(v > 0 && v < 16, "distance " + v);
      }
      assertArrayEquals(new float[3], lpips.distance(a, a.duplicate()).toFloatArray(), 0f);
      double mean = lpips.meanPairwise(NDArrays.concat(new NDList(a, b)));
      assertTrue(mean > 0 && Double.isFinite(mean), "mean " + mean);
    }
  }

  private static NDArray images(NDManager m, int n, int side, long seed) {
    Random rng = new Random(seed);
    float[] x = new float[n * 3 * side * side];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextFloat();
    }
    return m.create(x, new Shape(n, 3, side, side));
  }

  /** The formula in plain Java, layer by layer, over the DJL network's activations. */
  private static double[] reference(List<NDArray> fa, List<NDArray> fb, List<float[]> w) {
    int batch = (int) fa.get(0).getShape().get(0);
    double[] out = new double[batch];
    for (int l = 0; l < fa.size(); l++) {
      Shape s = fa.get(l).getShape();
      float[] weights = w == null ? null : w.get(l);
      double[] d = layerDistance(fa.get(l).toFloatArray(), fb.get(l).toFloatArray(), s, weights);
      for (int b = 0; b < batch; b++) {
        out[b] += d[b];
      }
    }
    return out;
  }

  private static double[] layerDistance(float[] a, float[] b, Shape s, float[] w) {
    int batch = (int) s.get(0);
    int c = (int) s.get(1);
    int hw = (int) (s.get(2) * s.get(3));
    double[] out = new double[batch];
    for (int n = 0; n < batch; n++) {
      double sum = 0;
      for (int p = 0; p < hw; p++) {
        double na = 0;
        double nb = 0;
        for (int k = 0; k < c; k++) {
          double va = a[(n * c + k) * hw + p];
          double vb = b[(n * c + k) * hw + p];
          na += va * va;
          nb += vb * vb;
        }
        na = Math.sqrt(na) + 1e-10;
        nb = Math.sqrt(nb) + 1e-10;
        for (int k = 0; k < c; k++) {
          double diff = a[(n * c + k) * hw + p] / na - b[(n * c + k) * hw + p] / nb;
          sum += (w == null ? 1 : w[k]) * diff * diff;
        }
      }
      out[n] = sum / hw;
    }
    return out;
  }

  private static final int[][] ALEX_CONVS = {
    // index, in, out, kernel, stride, padding
    {0, 3, 64, 11, 4, 2},
    {3, 64, 192, 5, 1, 2},
    {6, 192, 384, 3, 1, 1},
    {8, 384, 256, 3, 1, 1},
    {10, 256, 256, 3, 1, 1}
  };

  private static Map<String, float[]> randomAlexNet(Random rng) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (int[] c : ALEX_CONVS) {
      int fanIn = c[1] * c[3] * c[3];
      float bound = (float) (1 / Math.sqrt(fanIn));
      float[] w = new float[c[2] * fanIn];
      for (int i = 0; i < w.length; i++) {
        w[i] = (rng.nextFloat() * 2 - 1) * bound;
      }
      float[] bias = new float[c[2]];
      for (int i = 0; i < bias.length; i++) {
        bias[i] = (rng.nextFloat() * 2 - 1) * bound;
      }
      out.put("features." + c[0] + ".weight", w);
      out.put("features." + c[0] + ".bias", bias);
    }
    return out;
  }

  /** Writes alexnet.safetensors (plus a classifier tensor, as a whole state dict has) and lpips. */
  private void writeFiles(Map<String, float[]> alex, List<float[]> lin, boolean withClassifier) {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      for (int[] c : ALEX_CONVS) {
        tensors.put(
            "features." + c[0] + ".weight",
            m.create(alex.get("features." + c[0] + ".weight"), new Shape(c[2], c[1], c[3], c[3])));
        tensors.put("features." + c[0] + ".bias", m.create(alex.get("features." + c[0] + ".bias")));
      }
      if (withClassifier) {
        tensors.put("classifier.6.bias", m.zeros(new Shape(1000)));
      }
      Safetensors.write(
          dir.resolve("alexnet.safetensors"), tensors, Safetensors.Dtype.F32, Map.of());
      Map<String, NDArray> head = new LinkedHashMap<>();
      for (int l = 0; l < lin.size(); l++) {
        head.put(
            "lin" + l + ".model.1.weight",
            m.create(lin.get(l), new Shape(1, lin.get(l).length, 1, 1)));
      }
      Safetensors.write(dir.resolve("lpips.safetensors"), head, Safetensors.Dtype.F32, Map.of());
    }
  }

  /** LPIPS with AlexNet in plain Java: scaling layer, convolutions, pools, the formula. */
  private static double referenceAlex(
      Map<String, float[]> alex, List<float[]> lin, float[] xa, float[] xb, int side) {
    List<Act> fa = alexRelus(alex, scale(xa, side), side);
    List<Act> fb = alexRelus(alex, scale(xb, side), side);
    double total = 0;
    for (int l = 0; l < fa.size(); l++) {
      Act a = fa.get(l);
      total += layerDistance(a.v, fb.get(l).v, new Shape(1, a.c, a.h, a.w), lin.get(l))[0];
    }
    return total;
  }

  private record Act(float[] v, int c, int h, int w) {}

  private static float[] scale(float[] x, int side) {
    float[] shift = {-.030f, -.088f, -.188f};
    float[] scale = {.458f, .448f, .450f};
    float[] out = new float[x.length];
    int hw = side * side;
    for (int i = 0; i < x.length; i++) {
      int c = i / hw;
      out[i] = ((x[i] * 2 - 1) - shift[c]) / scale[c];
    }
    return out;
  }

  private static List<Act> alexRelus(Map<String, float[]> alex, float[] x, int side) {
    List<Act> out = new ArrayList<>();
    Act h = new Act(x, 3, side, side);
    for (int i = 0; i < ALEX_CONVS.length; i++) {
      int[] c = ALEX_CONVS[i];
      if (i == 1 || i == 2) {
        h = maxPool(h);
      }
      h =
          conv(
              h,
              alex.get("features." + c[0] + ".weight"),
              alex.get("features." + c[0] + ".bias"),
              c[2],
              c[3],
              c[4],
              c[5]);
      out.add(h);
    }
    return out;
  }

  /** Convolution followed by ReLU. */
  private static Act conv(Act in, float[] w, float[] b, int out, int k, int stride, int pad) {
    int oh = (in.h + 2 * pad - k) / stride + 1;
    int ow = (in.w + 2 * pad - k) / stride + 1;
    float[] y = new float[out * oh * ow];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          double s = b[o];
          for (int c = 0; c < in.c; c++) {
            for (int u = 0; u < k; u++) {
              int r = i * stride - pad + u;
              if (r < 0 || r >= in.h) {
                continue;
              }
              for (int v = 0; v < k; v++) {
                int q = j * stride - pad + v;
                if (q < 0 || q >= in.w) {
                  continue;
                }
                s += w[((o * in.c + c) * k + u) * k + v] * in.v[(c * in.h + r) * in.w + q];
              }
            }
          }
          y[(o * oh + i) * ow + j] = (float) Math.max(0, s);
        }
      }
    }
    return new Act(y, out, oh, ow);
  }

  /** Max pooling 3×3, stride 2, no padding. */
  private static Act maxPool(Act in) {
    int oh = (in.h - 3) / 2 + 1;
    int ow = (in.w - 3) / 2 + 1;
    float[] y = new float[in.c * oh * ow];
    for (int c = 0; c < in.c; c++) {
      for (int i = 0; i < oh; i++) {
        for (int j = 0; j < ow; j++) {
          float best = Float.NEGATIVE_INFINITY;
          for (int u = 0; u < 3; u++) {
            for (int v = 0; v < 3; v++) {
              best = Math.max(best, in.v[(c * in.h + i * 2 + u) * in.w + j * 2 + v]);
            }
          }
          y[(c * oh + i) * ow + j] = best;
        }
      }
    }
    return new Act(y, in.c, oh, ow);
  }
}
