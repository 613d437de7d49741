package io.diffii.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seed derivation and seeded selection, so that every split is a pure function of its seed. */
final class Seeds {

  private Seeds() {}

  /** Returns a well-mixed 64-bit value of the inputs (SplitMix64 finaliser applied per input). */
  static long mix(long... values) {
    long h = 0x9E3779B97F4A7C15L;
    for (long v : values) {
      h += v * 0xBF58476D1CE4E5B9L + 0x9E3779B97F4A7C15L;
      h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
      h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
      h ^= h >>> 31;
    }
    return h;
  }

  /** Returns the first {@code n} items of a seeded Fisher–Yates shuffle of {@code items}. */
  static List<Integer> shuffledPrefix(List<Integer> items, int n, long seed) {
    List<Integer> pool = new ArrayList<>(items);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < n; i++) {
      int j = i + rng.nextInt(pool.size() - i);
      Integer tmp = pool.get(i);
      pool.set(i, pool.get(j));
      pool.set(j, tmp);
    }
    return List.copyOf(pool.subList(0, n));
  }
}
