package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.nn.Weights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The vision tower against a plain-Java forward pass written from transformers' {@code
 * CLIPVisionTransformer}: patches (row-major) after the class token, positions, pre-LayerNorm,
 * pre-norm encoder layers with quick-GELU, post-LayerNorm of the class token.
 */
class ClipVisionModelTest {

  private static final int D = 8;
  private static final int MLP = 12;
  private static final int HEADS = 2;
  private static final int SIDE = 8;
  private static final int PATCH = 4;
  private static final int TOKENS = 1 + (SIDE / PATCH) * (SIDE / PATCH);

  @Test
  void matchesAPlainForwardPass() {
    ClipVisionConfig config =
        new ClipVisionConfig(D, MLP, 1, HEADS, SIDE, PATCH, 3, "quick_gelu", 1e-5f);
    ClipVisionModel model = new ClipVisionModel(config);
    Random rng = new Random(42);
    Map<String, float[]> w = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      model
          .stateDict()
          .forEach(
              (name, p) -> {
                float[] v = new float[(int) p.getShape().size()];
                for (int i = 0; i < v.length; i++) {
                  v[i] =
                      (float)
                          ((name.contains("norm") && name.endsWith("weight") ? 1 : 0)
                              + 0.3 * rng.nextGaussian());
                }
                w.put(name, v);
                tensors.put(name, m.create(v, p.getShape()));
              });
      Weights.load(model, tensors, m, Set.of(), "random");
      float[] pixels = new float[2 * 3 * SIDE * SIDE];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) rng.nextGaussian();
      }
      NDList out = model.encode(m.create(pixels, new Shape(2, 3, SIDE, SIDE)));
      float[] last = out.get(0).toFloatArray();
      float[] pooled = out.get(1).toFloatArray();
      for (int b = 0; b < 2; b++) {
        double[][] h = reference(w, pixels, b);
        for (int t = 0; t < TOKENS; t++) {
          for (int d = 0; d < D; d++) {
            assertEquals(h[t][d], last[(b * TOKENS + t) * D + d], 1e-4, "state " + t + "," + d);
          }
        }
        double[] post =
            layerNorm(
                h[0],
                w.get("vision_model.post_layernorm.weight"),
                w.get("vision_model.post_layernorm.bias"));
        for (int d = 0; d < D; d++) {
          assertEquals(post[d], pooled[b * D + d], 1e-4, "pooled " + d);
        }
      }
      assertThrows(
          IllegalArgumentException.class, () -> model.encode(m.zeros(new Shape(1, 3, 9, 9))));
    }
  }

  private static double[][] reference(Map<String, float[]> w, float[] pixels, int b) {
    String e = "vision_model.embeddings.";
    float[] conv = w.get(e + "patch_embedding.weight");
    float[] cls = w.get(e + "class_embedding");
    float[] pos = w.get(e + "position_embedding.weight");
    int g = SIDE / PATCH;
    double[][] h = new double[TOKENS][D];
    for (int d = 0; d < D; d++) {
      h[0][d] = cls[d] + pos[d];
    }
    for (int pi = 0; pi < g; pi++) {
      for (int pj = 0; pj < g; pj++) {
        int t = 1 + pi * g + pj;
        for (int d = 0; d < D; d++) {
          double s = 0;
          for (int c = 0; c < 3; c++) {
            for (int u = 0; u < PATCH; u++) {
              for (int v = 0; v < PATCH; v++) {
                s +=
                    conv[((d * 3 + c) * PATCH + u) * PATCH + v]
                        * pixels[((b * 3 + c) * SIDE + pi * PATCH + u) * SIDE + pj * PATCH + v];
              }
            }
          }
          h[t][d] = s + pos[t * D + d];
        }
      }
    }
    for (int t = 0; t < TOKENS; t++) {
      h[t] =
          layerNorm(
              h[t],
              w.get("vision_model.pre_layrnorm.weight"),
              w.get("vision_model.pre_layrnorm.bias"));
    }
    String l = "vision_model.encoder.layers.0.";
    double[][] x = new double[TOKENS][];
    double[][] q = new double[TOKENS][];
    double[][] k = new double[TOKENS][];
    double[][] v = new double[TOKENS][];
    for (int t = 0; t < TOKENS; t++) {
      x[t] = layerNorm(h[t], w.get(l + "layer_norm1.weight"), w.get(l + "layer_norm1.bias"));
      q[t] = linear(x[t], w.get(l + "self_attn.q_proj.weight"), w.get(l + "self_attn.q_proj.bias"));
      k[t] = linear(x[t], w.get(l + "self_attn.k_proj.weight"), w.get(l + "self_attn.k_proj.bias"));
      v[t] = linear(x[t], w.get(l + "self_attn.v_proj.weight"), w.get(l + "self_attn.v_proj.bias"));
    }
    int dh = D / HEADS;
    double[][] attended = new double[TOKENS][D];
    for (int head = 0; head < HEADS; head++) {
      for (int t = 0; t < TOKENS; t++) {
        double[] score = new double[TOKENS];
        double max = Double.NEGATIVE_INFINITY;
        for (int s = 0; s < TOKENS; s++) {
          for (int j = 0; j < dh; j++) {
            score[s] += q[t][head * dh + j] * k[s][head * dh + j];
          }
          score[s] /= Math.sqrt(dh);
          max = Math.max(max, score[s]);
        }
        double z = 0;
        for (int s = 0; s < TOKENS; s++) {
          score[s] = Math.exp(score[s] - max);
          z += score[s];
        }
        for (int s = 0; s < TOKENS; s++) {
          for (int j = 0; j < dh; j++) {
            attended[t][head * dh + j] += score[s] / z * v[s][head * dh + j];
          }
        }
      }
    }
    for (int t = 0; t < TOKENS; t++) {
      double[] o =
          linear(
              attended[t],
              w.get(l + "self_attn.out_proj.weight"),
              w.get(l + "self_attn.out_proj.bias"));
      for (int d = 0; d < D; d++) {
        h[t][d] += o[d];
      }
      double[] y = layerNorm(h[t], w.get(l + "layer_norm2.weight"), w.get(l + "layer_norm2.bias"));
      double[] f = linear(y, w.get(l + "mlp.fc1.weight"), w.get(l + "mlp.fc1.bias"));
      for (int j = 0; j < f.length; j++) {
        f[j] = f[j] / (1 + Math.exp(-1.702 * f[j]));
      }
      double[] out = linear(f, w.get(l + "mlp.fc2.weight"), w.get(l + "mlp.fc2.bias"));
      for (int d = 0; d < D; d++) {
        h[t][d] += out[d];
      }
    }
    return h;
  }

  private static double[] linear(double[] x, float[] weight, float[] bias) {
    double[] y = new double[bias.length];
    for (int o = 0; o < y.length; o++) {
      double s = bias[o];
      for (int i = 0; i < x.length; i++) {
        s += weight[o * x.length + i] * x[i];
      }
      y[o] = s;
    }
    return y;
  }

  private static double[] layerNorm(double[] x, float[] gamma, float[] beta) {
    double mean = 0;
    for (double v : x) {
      mean += v / x.length;
    }
    double var = 0;
    for (double v : x) {
      var += (v - mean) * (v - mean) / x.length;
    }
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = (x[i] - mean) / Math.sqrt(var + 1e-5) * gamma[i] + beta[i];
    }
    return y;
  }
}
