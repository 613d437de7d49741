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
