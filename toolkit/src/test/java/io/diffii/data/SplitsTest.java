package io.diffii.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SplitsTest {

  @Test
  void longTailCountsFollowTheExponentialProfile() {
    assertArrayEquals(
        new int[] {100, 77, 59, 46, 35, 27, 21, 16, 12, 10}, Splits.longTailCounts(100, 10, 10));
    assertArrayEquals(
        new int[] {100, 71, 51, 36, 26, 18, 13, 9, 6, 5}, Splits.longTailCounts(100, 20, 10));
    assertArrayEquals(
        new int[] {100, 59, 35, 21, 12, 7, 4, 2, 1, 1}, Splits.longTailCounts(100, 100, 10));
  }

  @Test
  void longTailCountsKeepAtLeastOneImage() {
    int[] counts = Splits.longTailCounts(50, 1000, 10);
    assertEquals(50, counts[0]);
    assertEquals(1, counts[9]);
    assertEquals(1, counts[8]);
  }

  @Test
  void longTailSplitHasThoseCountsAndTheWholeTestSet() {
    for (double imbalance : new double[] {10, 20, 100}) {
      Split split = Splits.longTail(100, imbalance, 3);
      assertArrayEquals(Splits.longTailCounts(100, imbalance, 10), split.train().classCounts());
      assertEquals(10_000, split.test().size());
    }
  }

  @Test
  void fewShotHasKScenesPerClassAndFiveShotLiesInsideTenShot() {
    Split five = Splits.fewShot(5, 11);
    Split ten = Splits.fewShot(10, 11);
    int[] fives = new int[10];
    Arrays.fill(fives, 5);
    assertArrayEquals(fives, five.train().classCounts());
    assertEquals(100, ten.train().size());
    assertTrue(ids(ten.train()).containsAll(ids(five.train())));
    assertEquals(10_000, five.test().size());
    assertEquals(0, five.val().size());
  }

  @Test
  void sameSeedGivesTheSameSplitAndAnotherSeedAnother() {
    Split a = Splits.fewShot(5, 1);
    Split b = Splits.fewShot(5, 1);
    assertEquals(ids(a.train()), ids(b.train()));
    for (int i = 0; i < a.train().size(); i++) {
      assertArrayEquals(a.train().image(i).data(), b.train().image(i).data());
    }
    assertNotEquals(ids(a.train()), ids(Splits.fewShot(5, 2).train()));
  }

  @Test
  void sceneSamplesCarryContextCaptionAndSource() {
    Sample s = Splits.fewShot(1, 4).train().get(0);
    Context context = Context.valueOf(s.attribute(ImageDataset.CONTEXT));
    CoarseGroup coarse = CoarseGroup.ofFashion(s.label());
    assertEquals(Scene.caption(coarse, context), s.attribute(ImageDataset.CAPTION));
    int source = Integer.parseInt(s.attribute(ImageDataset.SOURCE));
    assertEquals(String.format("train-%05d", source), s.id());
    assertEquals(FashionMnist.load().train().label(source), s.label());
  }

  @Test
  void pretrainingCorpusUsesEveryContext() {
    ImageDataset corpus = Splits.pretrainingCorpus(0);
    assertEquals(60_000, corpus.size());
    Map<String, Integer> contexts = new HashMap<>();
    corpus
        .samples()
        .forEach(s -> contexts.merge(s.attribute(ImageDataset.CONTEXT), 1, Integer::sum));
    assertEquals(5, contexts.size());
    contexts.values().forEach(n -> assertTrue(n > 11_000 && n < 13_000, "context count " + n));
  }

  @Test
  void oodTrainingPutsEachClassOnItsHabitatAtFullCorrelation() {
    Split split = Splits.ood(5, 8);
    assertEquals(50, split.train().size());
    for (Sample s : split.train().samples()) {
      Habitat habitat = Splits.habitat(s.label());
      assertEquals(Integer.toString(habitat.code()), s.attribute(ImageDataset.Y));
      assertEquals(s.attribute(ImageDataset.Y), s.attribute(ImageDataset.PLACE));
      assertEquals(habitat, Context.valueOf(s.attribute(ImageDataset.CONTEXT)).habitat());
    }
  }

  @Test
  void oodCorrelationSetsHowManyTrainingScenesAreOnTheHabitat() {
    Split split = Splits.ood(FashionMnist.load(), 10, 0.8, 100, 8);
    int[] onHabitat = new int[10];
    for (Sample s : split.train().samples()) {
      onHabitat[s.label()] +=
          s.attribute(ImageDataset.Y).equals(s.attribute(ImageDataset.PLACE)) ? 1 : 0;
    }
    int[] eight = new int[10];
    Arrays.fill(eight, 8);
    assertArrayEquals(eight, onHabitat);
  }

  @Test
  void oodCorrelationIsTheTrainingSetsSoNinetyPercentOfFiveShotsMovesFiveScenes() {
    for (long seed : new long[] {0, 1, 2}) {
      int[] off = offHabitat(Splits.ood(FashionMnist.load(), 5, 0.9, 100, seed));
      assertEquals(5, Arrays.stream(off).sum(), "5 of 50 shots off the habitat");
      assertTrue(
          Arrays.stream(off).allMatch(n -> n <= 1), "spread evenly: " + Arrays.toString(off));
    }
    assertNotEquals(
        Arrays.toString(offHabitat(Splits.ood(FashionMnist.load(), 5, 0.9, 100, 0))),
        Arrays.toString(offHabitat(Splits.ood(FashionMnist.load(), 5, 0.9, 100, 1))),
        "the seed draws which classes get one");
    int[] quarter = offHabitat(Splits.ood(FashionMnist.load(), 5, 0.74, 100, 0));
    assertEquals(13, Arrays.stream(quarter).sum());
    assertTrue(Arrays.stream(quarter).allMatch(n -> n == 1 || n == 2), Arrays.toString(quarter));
  }

  private static int[] offHabitat(Split split) {
    int[] off = new int[10];
    for (Sample s : split.train().samples()) {
      off[s.label()] += s.attribute(ImageDataset.Y).equals(s.attribute(ImageDataset.PLACE)) ? 0 : 1;
    }
    return off;
  }

  @Test
  void oodTestIsBalancedOverTheFourGroups() {
    Split split = Splits.ood(FashionMnist.load(), 5, 1.0, 100, 8);
    assertEquals(Map.of("0,0", 250, "0,1", 250, "1,0", 250, "1,1", 250), groupCounts(split.test()));
    assertEquals(
        Map.of("0,0", 2_500, "0,1", 2_500, "1,0", 2_500, "1,1", 2_500),
        groupCounts(Splits.ood(5, 8).test()));
  }

  @Test
  void habitatsAreFiveLandAndFiveWaterClasses() {
    long land =
        java.util.stream.IntStream.range(0, 10)
            .filter(c -> Splits.habitat(c) == Habitat.LAND)
            .count();
    assertEquals(5, land);
    assertEquals(Habitat.LAND, Splits.habitat(0));
    assertEquals(Habitat.WATER, Splits.habitat(9));
  }

  @Test
  void badArgumentsAreClearErrors() {
    assertThrows(IllegalArgumentException.class, () -> Splits.longTailCounts(0, 10, 10));
    assertThrows(IllegalArgumentException.class, () -> Splits.longTail(7_000, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.fewShot(0, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.ood(5, 1.5, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.ood(FashionMnist.load(), 5, 1, 3, 1));
  }

  private static Map<String, Integer> groupCounts(ImageDataset dataset) {
    Map<String, Integer> counts = new HashMap<>();
    dataset
        .samples()
        .forEach(
            s ->
                counts.merge(
                    s.attribute(ImageDataset.Y) + "," + s.attribute(ImageDataset.PLACE),
                    1,
                    Integer::sum));
    return counts;
  }

  private static List<String> ids(ImageDataset dataset) {
    return dataset.samples().stream().map(Sample::id).toList();
  }
}
