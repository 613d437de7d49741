package io.diffii.data;

import java.util.SplittableRandom;

/**
 * Procedural backgrounds, one recipe per {@link Context}, each with its own colour and texture
 * statistics: green/brown patches for land, blue wave bands for water, beige ripples for sand,
 * white/grey drifts for snow, a dark blue sky with stars for night.
 */
final class Backgrounds {

  private Backgrounds() {}

  /** Returns a {@code [3, size, size]} background for {@code context}, drawn from {@code rng}. */
  static float[] paint(Context context, int size, SplittableRandom rng) {
    float[] rgb = new float[3 * size * size];
    float[] coarse = smoothNoise(size, 4, rng);
    switch (context) {
      case LAND -> grass(rgb, size, coarse, rng);
      case WATER -> waves(rgb, size, coarse, rng);
      case SAND -> ripples(rgb, size, coarse, rng);
      case SNOW -> snow(rgb, size, coarse, rng);
      case NIGHT -> nightSky(rgb, size, rng);
    }
    return rgb;
  }

  /** Paints grass with soil patches where the coarse noise is high, each pixel a blade. */
  private static void grass(float[] rgb, int size, float[] coarse, SplittableRandom rng) {
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        float soil = smoothstep(0.55f, 0.8f, coarse[y * size + x]);
        float[] c = mix(new float[] {0.22f, 0.50f, 0.16f}, new float[] {0.42f, 0.30f, 0.17f}, soil);
        set(rgb, size, y, x, scale(c, 0.8f + 0.4f * (float) rng.nextDouble()));
      }
    }
  }

  /** Paints white snow with grey-blue drifts and a few sparkles. */
  private static void snow(float[] rgb, int size, float[] coarse, SplittableRandom rng) {
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        float drift = coarse[y * size + x];
        float[] c =
            mix(
                new float[] {0.96f, 0.97f, 0.99f},
                new float[] {0.70f, 0.74f, 0.82f},
                drift * drift);
        boolean sparkle = rng.nextDouble() < 0.02;
        set(
            rgb,
            size,
            y,
            x,
            sparkle ? new float[] {1f, 1f, 1f} : add(c, 0.03f * (float) (rng.nextDouble() - 0.5)));
      }
    }
  }

  /** Paints a dark blue sky, lighter towards the horizon, with stars. */
  private static void nightSky(float[] rgb, int size, SplittableRandom rng) {
    for (int y = 0; y < size; y++) {
      float t = y / (float) (size - 1);
      for (int x = 0; x < size; x++) {
        float[] c = mix(new float[] {0.01f, 0.02f, 0.08f}, new float[] {0.06f, 0.08f, 0.24f}, t);
        set(rgb, size, y, x, add(c, 0.02f * (float) rng.nextDouble()));
      }
    }
    stars(rgb, size, rng);
  }

  /** Paints diagonal sine bands, light crests on deep blue, bent by the coarse noise. */
  private static void waves(float[] rgb, int size, float[] coarse, SplittableRandom rng) {
    float fx = 0.2f + 0.3f * (float) rng.nextDouble();
    float fy = 0.8f + 0.5f * (float) rng.nextDouble();
    float phase = (float) (2 * Math.PI * rng.nextDouble());
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double arg = fx * x + fy * y + phase + 3 * coarse[y * size + x];
        float crest = (float) Math.pow(0.5 + 0.5 * Math.sin(arg), 3);
        float[] c =
            mix(new float[] {0.06f, 0.24f, 0.55f}, new float[] {0.50f, 0.70f, 0.92f}, crest);
        set(rgb, size, y, x, add(c, 0.04f * (float) (rng.nextDouble() - 0.5)));
      }
    }
  }

  /** Paints darker ripples across beige sand, with scattered dark grains. */
  private static void ripples(float[] rgb, int size, float[] coarse, SplittableRandom rng) {
    float fy = 0.9f + 0.4f * (float) rng.nextDouble();
    float fx = 0.3f * (float) (rng.nextDouble() - 0.5);
    float phase = (float) (2 * Math.PI * rng.nextDouble());
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        double arg = fx * x + fy * y + phase + 2 * coarse[y * size + x];
        float ripple = 0.6f * (float) Math.pow(0.5 + 0.5 * Math.sin(arg), 2);
        float[] c =
            mix(new float[] {0.87f, 0.77f, 0.57f}, new float[] {0.70f, 0.58f, 0.40f}, ripple);
        float grain = rng.nextDouble() < 0.06 ? -0.15f : 0.03f * (float) (rng.nextDouble() - 0.5);
        set(rgb, size, y, x, add(c, grain));
      }
    }
  }

  /** Sprinkles bright, slightly tinted stars over the night sky. */
  private static void stars(float[] rgb, int size, SplittableRandom rng) {
    int count = size * size / 80 + rng.nextInt(size * size / 80 + 1);
    for (int s = 0; s < count; s++) {
      float bright = 0.75f + 0.25f * (float) rng.nextDouble();
      float warm = 0.1f * (float) rng.nextDouble();
      set(
          rgb,
          size,
          rng.nextInt(size),
          rng.nextInt(size),
          new float[] {bright, bright, bright - warm});
    }
  }

  /** Returns value noise in [0, 1]: a {@code cells+1}² random grid, bilinearly interpolated. */
  static float[] smoothNoise(int size, int cells, SplittableRandom rng) {
    float[] grid = new float[(cells + 1) * (cells + 1)];
    for (int i = 0; i < grid.length; i++) {
      grid[i] = (float) rng.nextDouble();
    }
    float[] out = new float[size * size];
    for (int y = 0; y < size; y++) {
      float gy = y * cells / (float) (size - 1);
      int y0 = Math.min((int) gy, cells - 1);
      float ty = gy - y0;
      for (int x = 0; x < size; x++) {
        float gx = x * cells / (float) (size - 1);
        int x0 = Math.min((int) gx, cells - 1);
        float tx = gx - x0;
        float top = lerp(grid[y0 * (cells + 1) + x0], grid[y0 * (cells + 1) + x0 + 1], tx);
        float bottom =
            lerp(grid[(y0 + 1) * (cells + 1) + x0], grid[(y0 + 1) * (cells + 1) + x0 + 1], tx);
        out[y * size + x] = lerp(top, bottom, ty);
      }
    }
    return out;
  }

  private static void set(float[] rgb, int size, int y, int x, float[] c) {
    for (int ch = 0; ch < 3; ch++) {
      rgb[(ch * size + y) * size + x] = Math.max(0f, Math.min(1f, c[ch]));
    }
  }

  private static float[] mix(float[] a, float[] b, float t) {
    return new float[] {lerp(a[0], b[0], t), lerp(a[1], b[1], t), lerp(a[2], b[2], t)};
  }

  private static float[] add(float[] c, float d) {
    return new float[] {c[0] + d, c[1] + d, c[2] + d};
  }

  private static float[] scale(float[] c, float s) {
    return new float[] {c[0] * s, c[1] * s, c[2] * s};
  }

  private static float lerp(float a, float b, float t) {
    return a + (b - a) * t;
  }

  private static float smoothstep(float lo, float hi, float v) {
    float t = Math.max(0f, Math.min(1f, (v - lo) / (hi - lo)));
    return t * t * (3 - 2 * t);
  }
}
