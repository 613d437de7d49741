package io.diffii.embedded;

import io.diffii.data.Context;

/**
 * The "simple background classifier" that judges whether a generated scene shows the context its
 * prompt asked for: softmax regression on colour and texture statistics of the image border (a ring
 * 4 pixels wide, where the item rarely reaches), trained on real scenes.
 */
public final class ContextClassifier {

  private static final int RING = 4;
  private static final int FEATURES = 9;

  private final double[] featureMean;
  private final double[] featureStd;
  private final double[][] weights;

  private ContextClassifier(double[] featureMean, double[] featureStd, double[][] weights) {
    this.featureMean = featureMean;
    this.featureStd = featureStd;
    this.weights = weights;
  }

  /**
   * Fits the classifier on the first {@code n} scenes of {@code corpus} by full-batch gradient
   * descent (deterministic: no sampling involved).
   */
  public static ContextClassifier fit(SceneCorpus corpus, int n) {
    int classes = Context.values().length;
    double[][] x = new double[n][];
    int[] y = new int[n];
    float[] pixels = new float[SceneCorpus.PIXELS];
    for (int i = 0; i < n; i++) {
      corpus.pixels(i, pixels);
      x[i] = features(pixels);
      y[i] = corpus.context(i).ordinal();
    }
    double[] mean = new double[FEATURES];
    double[] std = new double[FEATURES];
    for (double[] f : x) {
      for (int j = 0; j < FEATURES; j++) {
        mean[j] += f[j] / n;
      }
    }
    for (double[] f : x) {
      for (int j = 0; j < FEATURES; j++) {
        std[j] += (f[j] - mean[j]) * (f[j] - mean[j]) / n;
      }
    }
    for (int j = 0; j < FEATURES; j++) {
      std[j] = Math.sqrt(std[j]) + 1e-8;
    }
    double[][] w = new double[classes][FEATURES + 1];
    ContextClassifier model = new ContextClassifier(mean, std, w);
    for (int epoch = 0; epoch < 500; epoch++) {
      double[][] grad = new double[classes][FEATURES + 1];
      for (int i = 0; i < n; i++) {
        double[] z = model.standardise(x[i]);
        double[] p = model.probabilities(z);
        for (int c = 0; c < classes; c++) {
          double g = p[c] - (y[i] == c ? 1 : 0);
          for (int j = 0; j <= FEATURES; j++) {
            grad[c][j] += g * (j == FEATURES ? 1 : z[j]) / n;
          }
        }
      }
      for (int c = 0; c < classes; c++) {
        for (int j = 0; j <= FEATURES; j++) {
          w[c][j] -= 1.0 * grad[c][j];
        }
      }
    }
    return model;
  }

  /** Returns the predicted context of a CHW [0, 1] 32×32 image. */
  public Context predict(float[] chw) {
    double[] p = probabilities(standardise(features(chw)));
    int best = 0;
    for (int c = 1; c < p.length; c++) {
      if (p[c] > p[best]) {
        best = c;
      }
    }
    return Context.values()[best];
  }

  private double[] standardise(double[] f) {
    double[] z = new double[FEATURES];
    for (int j = 0; j < FEATURES; j++) {
      z[j] = (f[j] - featureMean[j]) / featureStd[j];
    }
    return z;
  }

  private double[] probabilities(double[] z) {
    double[] logits = new double[weights.length];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < weights.length; c++) {
      double s = weights[c][FEATURES];
      for (int j = 0; j < FEATURES; j++) {
        s += weights[c][j] * z[j];
      }
      logits[c] = s;
      max = Math.max(max, s);
    }
    double sum = 0;
    for (int c = 0; c < logits.length; c++) {
      logits[c] = Math.exp(logits[c] - max);
      sum += logits[c];
    }
    for (int c = 0; c < logits.length; c++) {
      logits[c] /= sum;
    }
    return logits;
  }

  /** Per channel: mean, standard deviation and mean absolute horizontal gradient over the ring. */
  static double[] features(float[] chw) {
    int side = 32;
    double[] f = new double[FEATURES];
    for (int c = 0; c < 3; c++) {
      double sum = 0;
      double sq = 0;
      double grad = 0;
      int count = 0;
      for (int yy = 0; yy < side; yy++) {
        for (int xx = 0; xx < side; xx++) {
          boolean ring = yy < RING || yy >= side - RING || xx < RING || xx >= side - RING;
          if (!ring) {
            continue;
          }
          double v = chw[c * side * side + yy * side + xx];
          sum += v;
          sq += v * v;
          if (xx + 1 < side) {
            grad += Math.abs(chw[c * side * side + yy * side + xx + 1] - v);
          }
          count++;
        }
      }
      double mean = sum / count;
      f[3 * c] = mean;
      f[3 * c + 1] = Math.sqrt(Math.max(0, sq / count - mean * mean));
      f[3 * c + 2] = grad / count;
    }
    return f;
  }
}
