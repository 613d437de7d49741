package io.diffii.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The comparison code's long-tail rule and the embedded preset's split counts per IF. */
class LongTailTest {

  /** A data set of {@code sizes[c]} image-less samples of class c (images are never loaded). */
  private static ImageDataset sized(int... sizes) {
    List<Sample> samples = new ArrayList<>();
    for (int c = 0; c < sizes.length; c++) {
      for (int i = 0; i < sizes[c]; i++) {
        samples.add(
            new Sample(
                "c" + c + "-" + i,
                c,
                Map.of(),
                () -> {
                  throw new AssertionError("no image is loaded");
                }));
      }
    }
    List<String> names = IntStream.range(0, sizes.length).mapToObj(c -> "class" + c).toList();
    return new ImageDataset(names, samples);
  }

  @Test
  void meanFormulaCountsForEachImbalanceFactor() {
    // n_k = max(floor(30 * IF^(-k/8)), 1): rank 8 keeps n̄/IF (floored, at least 1).
    assertArrayEquals(new int[] {30, 16, 9, 5, 3, 1, 1, 1, 1, 1}, LongTail.counts(30, 100, 10));
    assertArrayEquals(new int[] {30, 20, 14, 9, 6, 4, 3, 2, 1, 1}, LongTail.counts(30, 20, 10));
    assertArrayEquals(new int[] {30, 22, 16, 12, 9, 7, 5, 4, 3, 2}, LongTail.counts(30, 10, 10));
    assertEquals(3, LongTail.counts(30, 10, 10)[8], "rank C-2 keeps exactly n̄/IF");
    assertThrows(IllegalArgumentException.class, () -> LongTail.counts(30, 10, 2));
    assertThrows(IllegalArgumentException.class, () -> LongTail.counts(30, 0.5, 10));
  }

  @Test
  void embeddedPresetCountsForEachImbalanceFactor() {
    assertArrayEquals(
        new int[] {50, 29, 17, 10, 6, 3, 2, 1, 1, 1}, LongTail.Form.MAX.counts(50, 100, 10));
    assertArrayEquals(
        new int[] {50, 35, 25, 18, 13, 9, 6, 4, 3, 2}, LongTail.Form.MAX.counts(50, 20, 10));
    assertArrayEquals(
        new int[] {50, 38, 29, 23, 17, 13, 10, 8, 6, 5}, LongTail.Form.MAX.counts(50, 10, 10));
    assertArrayEquals(LongTail.counts(50, 20, 10), LongTail.Form.MEAN.counts(50, 20, 10));
    assertEquals(9, LongTail.Form.MAX.span(10));
    assertEquals(8, LongTail.Form.MEAN.span(10));
  }

  @Test
  void classesAreRankedBySizeAndKeepAtMostWhatTheyHave() {
    // Sizes 10, 40, 25, 25 (mean 25): ranks 1 (40), 2 and 3 (25, ties by label), 4 (10).
    int[] kept = LongTail.keptCounts(new int[] {10, 40, 25, 25}, 4);
    // n_k = floor(25 * 4^(-k/2)) = 25, 12, 6, 3.
    assertArrayEquals(new int[] {3, 25, 12, 6}, kept);
    // Mean 11, IF 1: every n_k is 11, and a class smaller than that keeps all it has.
    assertArrayEquals(new int[] {11, 2, 1}, LongTail.keptCounts(new int[] {30, 2, 1}, 1));
  }

  @Test
  void theSubsetDrawsThoseCountsSeededAndNested() {
    ImageDataset full = sized(30, 30, 30, 30, 30, 30, 30, 30, 30, 30);
    for (double f : new double[] {100, 20, 10}) {
      assertArrayEquals(LongTail.counts(30, f, 10), LongTail.subset(full, f, 7).classCounts());
    }
    ImageDataset a = LongTail.subset(full, 10, 7);
    assertEquals(
        a.samples().stream().map(Sample::id).toList(),
        LongTail.subset(full, 10, 7).samples().stream().map(Sample::id).toList());
    var ten = new HashSet<>(a.samples().stream().map(Sample::id).toList());
    assertTrue(
        LongTail.subset(full, 100, 7).samples().stream().allMatch(s -> ten.contains(s.id())),
        "IF 100's images lie inside IF 10's for one seed");
    Split split = LongTail.of(Split.of(full, sized(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)), 20, 7);
    assertEquals(10, split.test().size());
    assertArrayEquals(LongTail.counts(30, 20, 10), split.train().classCounts());
  }
}
