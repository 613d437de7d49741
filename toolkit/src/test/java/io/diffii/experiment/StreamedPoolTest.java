package io.diffii.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.diffii.augment.DiffII;
import io.diffii.augment.SyntheticSet;
import io.diffii.classify.LabeledImages;
import io.diffii.classify.ResNet;
import io.diffii.classify.SyntheticPool;
import io.diffii.classify.TrainConfig;
import io.diffii.classify.Trainer;
import io.diffii.data.RgbImage;
import io.diffii.model.ResizeCrop;
import io.diffii.nn.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A synthetic set streamed from disk trains as the same set held in memory, in bounded memory. */
class StreamedPoolTest {

  @TempDir Path dir;

  private static final int SIDE = 16;

  /** Writes 18 synthetic images of 3 classes at 20x24 px (cropped to 16 by the transform). */
  private SyntheticSet writeSet() throws Exception {
    Random r = new Random(7);
    StringBuilder manifest = new StringBuilder();
    for (int i = 0; i < 18; i++) {
      int label = (i * 7) % 3;
      float[] d = new float[3 * 20 * 24];
      for (int k = 0; k < d.length; k++) {
        d[k] = (label + r.nextFloat()) / 3;
      }
      String file = String.format(Locale.ROOT, "c%d/%05d.png", label, i);
      Files.createDirectories(dir.resolve(file).getParent());
      new RgbImage(20, 24, d).writePng(dir.resolve(file));
      String soft = i % 4 == 0 ? ", \"soft_label\": [0.5, 0.25, 0.25]" : "";
      manifest.append(
          String.format(
              Locale.ROOT,
              "{\"label\": %d, \"index\": %d, \"file\": \"%s\"%s}%n",
              label,
              i,
              file,
              soft));
    }
    Files.writeString(dir.resolve(DiffII.MANIFEST), manifest);
    return SyntheticSet.read(dir, List.of("a", "b", "c"));
  }

  /** The pool as it was built before streaming: every image decoded into memory. */
  private static SyntheticPool inMemory(SyntheticSet set, ResizeCrop transform) {
    Map<Integer, List<SyntheticPool.Image>> byClass = new LinkedHashMap<>();
    for (int i = 0; i < set.size(); i++) {
      byClass
          .computeIfAbsent(set.records().get(i).get("label").getAsInt(), k -> new ArrayList<>())
          .add(new SyntheticPool.Image(transform.apply(set.image(i)).data(), set.softLabel(i)));
    }
    return SyntheticPool.withTargets(byClass);
  }

  private static LabeledImages real(int perClass, long seed) {
    Random r = new Random(seed);
    List<float[]> images = new ArrayList<>();
    int[] labels = new int[3 * perClass];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 3;
      float[] im = new float[3 * SIDE * SIDE];
      for (int k = 0; k < im.length; k++) {
        im[k] = (labels[i] + r.nextFloat()) / 3;
      }
      images.add(im);
    }
    return new LabeledImages(images, labels, SIDE, SIDE);
  }

  @Test
  void aCacheOfThreeImagesServesEveryImageAndTrainsAsTheSetInMemory() throws Exception {
    SyntheticSet set = writeSet();
    ResizeCrop transform = new ResizeCrop(SIDE, SIDE);
    long budget = 3L * 3 * SIDE * SIDE * Float.BYTES;
    SyntheticPool memory = inMemory(set, transform);
    SyntheticPool streamed = Experiment.pool(set, transform, budget);
    assertEquals(memory.size(), streamed.size());
    for (int c = 0; c < 3; c++) {
      assertEquals(memory.size(c), streamed.size(c));
      for (int i = 0; i < memory.size(c); i++) {
        assertArrayEquals(memory.image(c, i).chw(), streamed.image(c, i).chw());
        assertArrayEquals(memory.image(c, i).target(), streamed.image(c, i).target());
      }
    }
    TrainConfig config =
        new TrainConfig(6, 8, TrainConfig.Optimizer.SGD, 0.05, 5e-4, 0.1, 0.7, true, 3);
    float[][] weights = new float[2][];
    Trainer.Result[] results = new Trainer.Result[2];
    SyntheticPool[] pools = {memory, streamed};
    for (int run = 0; run < 2; run++) {
      try (NDManager m = NDManager.newBaseManager()) {
        Engine.getInstance().setRandomSeed(0);
        ResNet model = new ResNet(new int[] {8, 16}, 1, 3);
        model.initializeParameters(m);
        results[run] = Trainer.train(model, real(6, 0), pools[run], real(4, 1), config);
        weights[run] = Weights.arrays(model).get("head.weight").toFloatArray();
      }
    }
    assertTrue(results[1].replacedFraction() > 0.5, results[1].toString());
    assertEquals(results[0].replacedFraction(), results[1].replacedFraction());
    assertEquals(results[0].epochLosses(), results[1].epochLosses());
    assertArrayEquals(weights[0], weights[1]);
    assertTrue(streamed.peakCachedBytes() <= budget, streamed.peakCachedBytes() + " bytes");
    assertEquals(budget, streamed.peakCachedBytes(), "the cache filled to its budget");
    assertTrue(budget < 18L * 3 * SIDE * SIDE * Float.BYTES, "the budget holds less than the set");
  }
}
