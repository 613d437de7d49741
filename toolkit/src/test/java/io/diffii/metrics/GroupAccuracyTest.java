package io.diffii.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Group accuracy on a hand-made prediction set. */
class GroupAccuracyTest {

  @Test
  void eachGroupItsOwnAccuracyTheAverageWeighsGroupsEquallyAndTheWorstIsTheLowest() {
    // LL: 4 images, 3 right; WW: 2 images, 2 right; LW: 2 images, 0 right; WL: 1 image, 1 right.
    int[] labels = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    int[] predictions = {0, 1, 2, 9, 4, 5, 0, 0, 8};
    List<String> groups = List.of("LL", "LL", "LL", "LL", "WW", "WW", "LW", "LW", "WL");
    GroupAccuracy g = GroupAccuracy.of(labels, predictions, groups);
    assertEquals(Map.of("LL", 4, "WW", 2, "LW", 2, "WL", 1), g.counts());
    assertEquals(0.75, g.accuracy().get("LL"), 1e-12);
    assertEquals(1.0, g.accuracy().get("WW"), 1e-12);
    assertEquals(0.0, g.accuracy().get("LW"), 1e-12);
    assertEquals(1.0, g.accuracy().get("WL"), 1e-12);
    assertEquals((0.75 + 1 + 0 + 1) / 4, g.average(), 1e-12, "not the pooled 6/9");
    assertEquals(0.0, g.worst(), 1e-12);
    assertEquals("LW", g.worstGroup());
  }

  @Test
  void mismatchedLengthsAndGroupsAreClearErrors() {
    assertThrows(
        IllegalArgumentException.class,
        () -> GroupAccuracy.of(new int[] {0, 1}, new int[] {0}, List.of("a", "b")));
    assertThrows(
        IllegalArgumentException.class, () -> new GroupAccuracy(Map.of("a", 1), Map.of("b", 1.0)));
  }
}
