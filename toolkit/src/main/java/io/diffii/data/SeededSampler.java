package io.diffii.data;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import java.util.Arrays;
import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * A DJL sub-sampler that visits every index once per epoch in a seeded random order; epoch {@code
 * e} uses the permutation of seed {@code mix(seed, e)}, so a run replays exactly. Stateful (it
 * counts epochs) and not thread-safe.
 */
public final class SeededSampler implements Sampler.SubSampler {

  private final long seed;
  private long epoch;

  /** Creates a sampler whose first epoch is the permutation of {@code seed}. */
  public SeededSampler(long seed) {
    this.seed = seed;
  }

  /** {@inheritDoc} */
  @Override
  public Iterator<Long> sample(RandomAccessDataset dataset) {
    return Arrays.stream(permutation(dataset.size(), Seeds.mix(seed, epoch++))).iterator();
  }

  /** Returns a seeded random permutation of {@code 0 … n-1}. */
  static long[] permutation(long n, long seed) {
    long[] order = new long[Math.toIntExact(n)];
    Arrays.setAll(order, i -> i);
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      long tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }
}
