package io.diffii.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.data.CoarseGroup;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SceneCorpusTest {

  static final SceneCorpus CORPUS = SceneCorpus.train(0, 2000);

  @Test
  void balancedBatchesDrawEveryCoarseGroupEquallyOften() {
    int[][] byGroup = CORPUS.indicesByCoarseGroup();
    assertEquals(CoarseGroup.values().length, byGroup.length);
    int draws = 50_000;
    int[] balanced = new int[byGroup.length];
    int[] uniform = new int[byGroup.length];
    for (int i : DiffusionPretrainer.drawBatch(CORPUS, draws, true, new Random(3))) {
      balanced[CORPUS.coarse(i).ordinal()]++;
    }
    for (int i : DiffusionPretrainer.drawBatch(CORPUS, draws, false, new Random(3))) {
      uniform[CORPUS.coarse(i).ordinal()]++;
    }
    // 4 standard deviations of a binomial(50,000, 1/5) count is about 360.
    for (int g = 0; g < balanced.length; g++) {
      assertEquals(draws / 5.0, balanced[g], 360, "group " + g);
    }
    // Unbalanced draws follow the corpus: tops (4 of 10 fine classes) about 40 %.
    assertEquals(0.4, uniform[CoarseGroup.TOP.ordinal()] / (double) draws, 0.03);
    assertTrue(uniform[CoarseGroup.DRESS.ordinal()] < balanced[CoarseGroup.DRESS.ordinal()] * 0.7);
  }

  @Test
  void groupIndicesListEachSceneOnceUnderItsOwnGroup() {
    int total = 0;
    for (int[] members : CORPUS.indicesByCoarseGroup()) {
      CoarseGroup g = CORPUS.coarse(members[0]);
      for (int i : members) {
        assertEquals(g, CORPUS.coarse(i));
      }
      total += members.length;
    }
    assertEquals(CORPUS.size(), total);
  }

  @Test
  void aMappedCorpusShowsTheViewAndKeepsTheLabels() {
    SceneCorpus few = CORPUS.firstN(300);
    SceneCorpus inverted = few.mapped(images -> images.neg().add(1));
    float[] a = new float[SceneCorpus.PIXELS];
    float[] b = new float[SceneCorpus.PIXELS];
    for (int i : new int[] {0, 137, 299}) {
      few.pixels(i, a);
      inverted.pixels(i, b);
      for (int p = 0; p < a.length; p++) {
        assertEquals(1 - a[p], b[p], 1.5f / 255, "scene " + i + " pixel " + p);
      }
      assertEquals(few.context(i), inverted.context(i));
      assertEquals(few.fine(i), inverted.fine(i));
    }
    few.pixels(5, a);
    CORPUS.pixels(5, b);
    assertArrayEquals(b, a);
    assertThrows(IllegalArgumentException.class, () -> few.mapped(images -> images.get("0:2")));
    assertThrows(IllegalArgumentException.class, () -> CORPUS.firstN(CORPUS.size() + 1));
  }
}
