package io.diffii.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.data.ImageDataset;
import io.diffii.data.Splits;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Diff-II's plan on a long-tailed split: expansion per class, Gaussian starts for one image. */
class LongTailPlanTest {

  @Test
  void oneImageClassesStartFromGaussianNoiseAndEveryClassExpandsByItsSize() {
    ImageDataset train = Splits.longTail(50, 100, 0).train();
    int[] counts = train.classCounts();
    assertEquals(List.of(1, 1, 1), List.of(counts[7], counts[8], counts[9]));
    DiffIISettings settings = DiffIISettings.embedded().withSeed(3);
    List<DiffII.Item> plan = DiffII.on(null).settings(settings).plan(train);
    int[] planned = new int[counts.length];
    for (DiffII.Item item : plan) {
      planned[item.label()]++;
      boolean gaussian = item.a() < 0;
      assertEquals(counts[item.label()] == 1, gaussian, "class " + item.label());
      if (!gaussian) {
        assertTrue(item.a() != item.b() && item.b() < counts[item.label()]);
      }
    }
    for (int c = 0; c < counts.length; c++) {
      assertEquals(settings.expansion() * counts[c], planned[c], "class " + c);
    }
  }
}
