package io.diffii.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.augment.DiffIISettings;
import io.diffii.data.Context;
import io.diffii.data.FashionMnist;
import io.diffii.data.Habitat;
import io.diffii.data.ImageDataset;
import io.diffii.data.Sample;
import io.diffii.data.Split;
import io.diffii.data.Splits;
import io.diffii.embedded.Embedded;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** Table 3's plans, split, suffixes and table, without training anything. */
class OodExperimentTest {

  private static final Benchmark STUB =
      new Benchmark("b", null, x -> null, 32, c -> "", t -> null, DiffIISettings.embedded());

  @Test
  void theTableRunsEveryMethodAndTheSweepOriginalAndDiffIIAtTheOtherCorrelations() {
    List<Plan> plans = OodExperiment.on(STUB, (k, c, s) -> null).trials(3).sweep(0.9, 1).plans();
    assertEquals(2, plans.size());
    assertEquals(List.of("corr=1"), plans.get(0).settings().stream().map(Setting::label).toList());
    assertEquals(OodExperiment.TABLE3, plans.get(0).methods());
    assertEquals(3 * 8, plans.get(0).rows().size());
    assertEquals(
        List.of("corr=0.9"), plans.get(1).settings().stream().map(Setting::label).toList());
    assertEquals(List.of(Method.ORIGINAL, Method.DIFF_II), plans.get(1).methods());
    for (Plan p : plans) {
      assertNotNull(p.testGroup(), "every row reports its groups");
      assertEquals(
          0.3,
          p.settings().get(0).diffII().apply(DiffIISettings.embedded()).sampling().splitRatio());
    }
    assertEquals(1, OodExperiment.on(STUB, (k, c, s) -> null).plans().size());
    assertThrows(
        IllegalArgumentException.class, () -> OodExperiment.on(STUB, (k, c, s) -> null).sweep(1.1));
  }

  @Test
  void theSplitOfAPlanHasTheCorrelationInTrainingAndFourEqualGroupsInTest() {
    Split split =
        OodExperiment.on(STUB, (k, c, s) -> Splits.ood(FashionMnist.load(), k, c, 100, s))
            .shots(10)
            .correlation(0.9)
            .plans()
            .get(0)
            .settings()
            .get(0)
            .split()
            .apply(0);
    int[] onHabitat = new int[10];
    for (Sample s : split.train().samples()) {
      String g = OodExperiment.group(s);
      onHabitat[s.label()] += g.equals("LL") || g.equals("WW") ? 1 : 0;
    }
    int[] nine = new int[10];
    Arrays.fill(nine, 9);
    assertEquals(Arrays.toString(nine), Arrays.toString(onHabitat), "9 of 10 shots on habitat");
    assertEquals(
        Map.of("LL", 250, "WW", 250, "LW", 250, "WL", 250),
        split.test().samples().stream()
            .collect(Collectors.groupingBy(OodExperiment::group, Collectors.summingInt(s -> 1))));
  }

  @Test
  void suffixesOfAnOodRunComeFromTheTrainingShotsCaptions() {
    Benchmark embedded = Embedded.benchmark();
    ImageDataset train = Embedded.ood().plans().get(0).settings().get(0).split().apply(0).train();
    Set<String> captions =
        train.samples().stream().map(Embedded.captioner()::caption).collect(Collectors.toSet());
    List<String> suffixes = embedded.suffixes().apply(train).suffixes();
    assertFalse(suffixes.isEmpty());
    assertTrue(captions.containsAll(suffixes), suffixes + " not all in " + captions);

    // Land classes' shots lie on land backgrounds only (correlation 1): their suffixes name no
    // water context, though the test scenes of those classes lie on water too.
    ImageDataset land =
        new ImageDataset(
            train.classNames(),
            train.samples().stream()
                .filter(s -> Splits.habitat(s.label()) == Habitat.LAND)
                .toList());
    Set<String> water =
        Habitat.WATER.contexts().stream().map(Context::phrase).collect(Collectors.toSet());
    List<String> landSuffixes = embedded.suffixes().apply(land).suffixes();
    assertFalse(landSuffixes.isEmpty());
    assertTrue(landSuffixes.stream().noneMatch(water::contains), landSuffixes.toString());
  }

  @Test
  void theTableAveragesGroupsPerTrialThenOverTrials() {
    Table rows = Experiment.ROW_SCHEMA.emptyCopy();
    Table groups = Experiment.GROUP_SCHEMA.emptyCopy();
    // Original: trial 0 groups 80, 60, 20, 40 (average 50, worst 20); trial 1 90, 70, 10, 30
    // (average 50, worst 10). Diff-II: trial 0 80, 80, 60, 60 (70, 60); trial 1 90, 90, 50, 50.
    double[][] acc = {{80, 60, 20, 40}, {90, 70, 10, 30}, {80, 80, 60, 60}, {90, 90, 50, 50}};
    String[] methods = {"Original", "Original", "Diff-II", "Diff-II"};
    for (int r = 0; r < 4; r++) {
      double mean = Arrays.stream(acc[r]).average().orElseThrow();
      rows.stringColumn("setting").append("corr=1");
      rows.intColumn("trial").append(r % 2);
      rows.longColumn("seed").append(r % 2);
      rows.stringColumn("backbone").append("resnet");
      rows.stringColumn("method").append(methods[r]);
      rows.doubleColumn("accuracy").append(mean);
      rows.doubleColumn("replaced").append(0);
      rows.doubleColumn("seconds").append(1);
      rows.stringColumn("settings_hash").append("h" + r);
      for (String c : List.of("commit", "model_hash", "concept_hash", "settings")) {
        rows.stringColumn(c).append("");
      }
      for (int g = 0; g < 4; g++) {
        groups.stringColumn("setting").append("corr=1");
        groups.intColumn("trial").append(r % 2);
        groups.stringColumn("backbone").append("resnet");
        groups.stringColumn("method").append(methods[r]);
        groups.stringColumn("group").append(OodExperiment.GROUPS.get(g));
        groups.intColumn("images").append(25);
        groups.doubleColumn("accuracy").append(acc[r][g]);
        groups.stringColumn("settings_hash").append("h" + r);
      }
    }
    Table t = OodExperiment.table(Result.summary(rows), groups);
    assertEquals(List.of("Original", "Diff-II"), t.stringColumn("method").asList());
    assertEquals(85, t.doubleColumn("LL").getDouble(0), 1e-9);
    assertEquals(15, t.doubleColumn("LW").getDouble(0), 1e-9);
    assertEquals(50, t.doubleColumn("average").getDouble(0), 1e-9);
    assertEquals(15, t.doubleColumn("worst").getDouble(0), 1e-9);
    assertEquals(70, t.doubleColumn("average").getDouble(1), 1e-9);
    assertEquals(55, t.doubleColumn("worst").getDouble(1), 1e-9);
    assertEquals(20, t.doubleColumn("gain").getDouble(1), 1e-9);
    assertEquals(0, t.doubleColumn("std").getDouble(1), 1e-9);
    assertEquals("70.00 ± 0.00", t.stringColumn("accuracy").get(1));
    assertEquals(2, t.intColumn("trials").get(1));
    Map<String, ?> charts = new TreeMap<>(OodExperiment.groupCharts(t, groups));
    assertEquals(Set.of("LL", "WW", "LW", "WL", "average", "worst"), charts.keySet());
  }

  @Test
  void theGroupIsClassHabitatThenBackground() {
    Sample s = new Sample("x", 0, Map.of(ImageDataset.Y, "0", ImageDataset.PLACE, "1"), () -> null);
    assertEquals("LW", OodExperiment.group(s));
  }

  @Test
  void cubToWaterbirdsNamesAMissingFolderAndAcceptsOnlyTheNaturalCorrelation(@TempDir Path dir) {
    OodExperiment.Splits s = OodExperiment.cubToWaterbirds(dir.resolve("cub"), dir.resolve("wb"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> s.of(5, 1.0, 0));
    assertTrue(e.getMessage().contains("CUB-200-2011 folder"), e.getMessage());
    assertTrue(e.getMessage().contains("images.txt"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> s.of(5, 0.9, 0));
  }
}
