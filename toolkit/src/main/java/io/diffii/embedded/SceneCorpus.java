package io.diffii.embedded;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffii.data.CoarseGroup;
import io.diffii.data.Context;
import io.diffii.data.FashionMnist;
import io.diffii.data.ImageDataset;
import io.diffii.data.Sample;
import io.diffii.data.Splits;
import io.diffii.nn.Compute;
import java.nio.ByteBuffer;
import java.util.stream.IntStream;

/**
 * A split of Fashion scenes rendered once into memory as bytes (3·32·32 per scene, 184 MB for the
 * 60k training scenes), with each scene's fine label, coarse group and context, so that training
 * batches cost a copy rather than a composition.
 */
public final class SceneCorpus {

  /** Pixels per scene: 3 channels of 32 × 32. */
  public static final int PIXELS = 3 * 32 * 32;

  private final byte[] pixels;
  private final int[] fine;
  private final CoarseGroup[] coarse;
  private final Context[] contexts;
  private int[][] byCoarseGroup;

  private SceneCorpus(ImageDataset scenes) {
    int n = scenes.size();
    this.pixels = new byte[n * PIXELS];
    this.fine = new int[n];
    this.coarse = new CoarseGroup[n];
    this.contexts = new Context[n];
    IntStream.range(0, n)
        .parallel()
        .forEach(
            i -> {
              Sample s = scenes.get(i);
              float[] chw = s.image().data();
              for (int p = 0; p < PIXELS; p++) {
                pixels[i * PIXELS + p] = (byte) Math.round(chw[p] * 255f);
              }
              fine[i] = s.label();
              coarse[i] = CoarseGroup.ofFashion(s.label());
              contexts[i] = Context.valueOf(s.attribute(ImageDataset.CONTEXT));
            });
  }

  private SceneCorpus(byte[] pixels, int[] fine, CoarseGroup[] coarse, Context[] contexts) {
    this.pixels = pixels;
    this.fine = fine;
    this.coarse = coarse;
    this.contexts = contexts;
  }

  /** Returns the first {@code n} scenes of this corpus (shared labels, copied pixels). */
  public SceneCorpus firstN(int n) {
    if (n < 1 || n > size()) {
      throw new IllegalArgumentException("asked for " + n + " of " + size() + " scenes");
    }
    return new SceneCorpus(
        java.util.Arrays.copyOf(pixels, n * PIXELS),
        java.util.Arrays.copyOf(fine, n),
        java.util.Arrays.copyOf(coarse, n),
        java.util.Arrays.copyOf(contexts, n));
  }

  /**
   * Returns the scenes as {@code view} shows them, with the same labels: {@code view} maps a batch
   * {@code [B, 3, 32, 32]} in [0, 1] to one of the same shape (values are clipped to [0, 1] and
   * stored as bytes, as every scene is). Judges of generated images are fitted on the autoencoder's
   * round trip of real scenes this way, since every generated image has passed its decoder.
   */
  public SceneCorpus mapped(java.util.function.UnaryOperator<NDArray> view) {
    byte[] out = new byte[pixels.length];
    int batch = 250;
    try (NDManager manager = Compute.newManager()) {
      for (int from = 0; from < size(); from += batch) {
        try (NDManager scope = manager.newSubManager()) {
          int[] idx = IntStream.range(from, Math.min(size(), from + batch)).toArray();
          NDArray seen = view.apply(images(scope, idx).add(1).div(2));
          if (!seen.getShape().equals(new Shape(idx.length, 3, 32, 32))) {
            throw new IllegalArgumentException(
                "a view must keep the batch shape; got " + seen.getShape());
          }
          float[] v = seen.clip(0, 1).toFloatArray();
          for (int p = 0; p < v.length; p++) {
            out[from * PIXELS + p] = (byte) Math.round(v[p] * 255f);
          }
        }
      }
    }
    return new SceneCorpus(out, fine, coarse, contexts);
  }

  /** Returns the 60,000 training items as scenes on random contexts (the pretraining corpus). */
  public static SceneCorpus train(long seed) {
    return train(seed, Integer.MAX_VALUE);
  }

  /** Returns the first {@code limit} scenes of {@link #train(long)}, composing only those. */
  public static SceneCorpus train(long seed, int limit) {
    ImageDataset all = Splits.scenes(FashionMnist.load().train(), "train", seed);
    if (limit >= all.size()) {
      return new SceneCorpus(all);
    }
    return new SceneCorpus(new ImageDataset(all.classNames(), all.samples().subList(0, limit)));
  }

  /** Returns the 10,000 test items as scenes on random contexts, for held-out measurements. */
  public static SceneCorpus test(long seed) {
    return new SceneCorpus(Splits.scenes(FashionMnist.load().test(), "test", seed));
  }

  /** Returns the number of scenes. */
  public int size() {
    return fine.length;
  }

  /** Returns the fine Fashion-MNIST label of scene {@code i}. */
  public int fine(int i) {
    return fine[i];
  }

  /** Returns the coarse group of scene {@code i}. */
  public CoarseGroup coarse(int i) {
    return coarse[i];
  }

  /**
   * Returns, for each coarse group in ordinal order, the indices of its scenes in increasing order
   * (computed once; groups without scenes are left out so that a draw never meets an empty one).
   */
  public synchronized int[][] indicesByCoarseGroup() {
    if (byCoarseGroup == null) {
      byCoarseGroup =
          java.util.Arrays.stream(CoarseGroup.values())
              .map(g -> IntStream.range(0, size()).filter(i -> coarse[i] == g).toArray())
              .filter(members -> members.length > 0)
              .toArray(int[][]::new);
    }
    return byCoarseGroup;
  }

  /** Returns the context (background) of scene {@code i}. */
  public Context context(int i) {
    return contexts[i];
  }

  /** Copies scene {@code i} into {@code out} as CHW floats in [0, 1]. */
  public void pixels(int i, float[] out) {
    for (int p = 0; p < PIXELS; p++) {
      out[p] = (pixels[i * PIXELS + p] & 0xff) / 255f;
    }
  }

  /** Returns the scenes at {@code indices} as {@code [B, 3, 32, 32]} float32 in [−1, 1]. */
  public NDArray images(NDManager manager, int[] indices) {
    ByteBuffer buf = ByteBuffer.allocateDirect(indices.length * PIXELS);
    for (int i : indices) {
      buf.put(pixels, i * PIXELS, PIXELS);
    }
    buf.flip();
    NDArray bytes = manager.create(buf, new Shape(indices.length, 3, 32, 32), DataType.UINT8);
    return bytes.toType(DataType.FLOAT32, false).div(127.5f).sub(1f);
  }
}
