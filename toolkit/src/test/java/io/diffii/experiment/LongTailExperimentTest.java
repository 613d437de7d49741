package io.diffii.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.augment.DiffIISettings;
import io.diffii.classify.Backbone;
import io.diffii.data.LongTail;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** Table 2's plan, shot groups and table, without training anything. */
class LongTailExperimentTest {

  @Test
  void thirdsPartitionTenClassesThreeFourThreeAtEveryImbalanceFactor() {
    for (double f : new double[] {100, 20, 10}) {
      int[] counts = LongTail.Form.MAX.counts(50, f, 10);
      ShotGroups g = ShotGroups.thirds(50, f, 10);
      List<ShotGroups.Group> groups = new ArrayList<>();
      for (int n : counts) {
        groups.add(g.of(n));
      }
      List<ShotGroups.Group> expected = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        expected.add(
            i < 3 ? ShotGroups.Group.MANY : i < 7 ? ShotGroups.Group.MEDIUM : ShotGroups.Group.FEW);
      }
      assertEquals(expected, groups, "IF " + f + ", counts " + java.util.Arrays.toString(counts));
    }
    // IF 100: many above 50·100^(-2.5/9) = 13.9 images, few below 50·100^(-6.5/9) = 1.80.
    ShotGroups g = ShotGroups.thirds(50, 100, 10);
    assertEquals(13.9, g.many(), 0.05);
    assertEquals(1.80, g.few(), 0.005);
  }

  @Test
  void cubThresholdsAndBoundsBelongToMedium() {
    ShotGroups cub = ShotGroups.cub();
    assertEquals(ShotGroups.Group.MANY, cub.of(21));
    assertEquals(ShotGroups.Group.MEDIUM, cub.of(20));
    assertEquals(ShotGroups.Group.MEDIUM, cub.of(5));
    assertEquals(ShotGroups.Group.FEW, cub.of(4));
    assertThrows(IllegalArgumentException.class, () -> new ShotGroups(2, 5));
  }

  @Test
  void planHasOneSettingPerFactorWithDiffIIAtSplitRatioOneAndBalancedConcepts() {
    Benchmark b =
        new Benchmark("b", null, x -> null, 32, c -> "", t -> null, DiffIISettings.embedded());
    Plan plan =
        LongTailExperiment.on(b, (f, s) -> null, f -> ShotGroups.cub())
            .imbalance(100, 20, 10)
            .methods(Method.ORIGINAL, Method.CMO, Method.CMO_DRW, Method.DIFF_II)
            .trials(3)
            .plan();
    assertEquals(
        List.of("IF100", "IF20", "IF10"), plan.settings().stream().map(Setting::label).toList());
    assertEquals(3 * 3 * 4, plan.rows().size());
    DiffIISettings d = plan.settings().get(0).diffII().apply(DiffIISettings.embedded());
    assertEquals(1.0, d.sampling().splitRatio());
    assertTrue(d.concept().balanced());
    assertEquals(
        1.0,
        plan.settings()
            .get(0)
            .baseline()
            .apply(io.diffii.augment.BaselineSettings.of(d))
            .confidence());
    assertTrue(plan.recipe().apply(Backbone.RESNET).longTail() != null);
    assertEquals(0, plan.recipe().apply(Backbone.RESNET).labelSmoothing());
    assertThrows(
        IllegalArgumentException.class,
        () -> LongTailExperiment.on(b, (f, s) -> null, f -> null).imbalance(0.5));
  }

  @Test
  void cmoDrwIsRefusedBeforeAnyWorkWithoutTheLongTailSchedule(@TempDir Path dir) {
    Benchmark b =
        new Benchmark("b", null, x -> null, 32, c -> "", t -> null, DiffIISettings.embedded());
    Plan fewShot =
        FewShotExperiment.on(b, (k, s) -> null).methods(Method.ORIGINAL, Method.CMO_DRW).plan();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Experiment.run(b, fewShot, dir));
    assertTrue(e.getMessage().contains("long-tail recipe"), e.getMessage());
    assertTrue(!Files.exists(dir.resolve(Experiment.ROWS)));
  }

  @Test
  void tableAveragesEachGroupsClassAccuracyOverTrials() {
    Table summary =
        Result.summary(
            rows(
                new Object[][] {
                  {"IF10", 0, "Original", 40.0}, {"IF10", 1, "Original", 50.0},
                  {"IF10", 0, "Diff-II", 60.0}, {"IF10", 1, "Diff-II", 70.0},
                }));
    Table classes = Experiment.CLASS_SCHEMA.emptyCopy();
    // Three classes of 30, 10 and 2 images; thresholds many > 20, few < 5.
    int[] sizes = {30, 10, 2};
    double[][] acc = {{90, 50, 10}, {80, 40, 0}, {90, 60, 30}, {100, 70, 50}};
    String[] methods = {"Original", "Original", "Diff-II", "Diff-II"};
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 3; c++) {
        classes.stringColumn("setting").append("IF10");
        classes.intColumn("trial").append(r % 2);
        classes.stringColumn("backbone").append("resnet");
        classes.stringColumn("method").append(methods[r]);
        classes.intColumn("label").append(c);
        classes.stringColumn("class").append("c" + c);
        classes.intColumn("train_images").append(sizes[c]);
        classes.doubleColumn("accuracy").append(acc[r][c]);
        classes.stringColumn("settings_hash").append("h" + r);
      }
    }
    Table t = LongTailExperiment.table(summary, classes, Map.of("IF10", ShotGroups.cub()));
    assertEquals(List.of("CE", "Diff-II"), t.stringColumn("method").asList());
    assertEquals(85, t.doubleColumn("many").getDouble(0), 1e-9);
    assertEquals(45, t.doubleColumn("medium").getDouble(0), 1e-9);
    assertEquals(5, t.doubleColumn("few").getDouble(0), 1e-9);
    assertEquals(40, t.doubleColumn("few").getDouble(1), 1e-9);
    assertEquals(20, t.doubleColumn("gain").getDouble(1), 1e-9);
    assertEquals(2, LongTailExperiment.classChart(classes, "IF10").getSeriesMap().size());
  }

  private static Table rows(Object[][] values) {
    Table t = Experiment.ROW_SCHEMA.emptyCopy();
    for (Object[] v : values) {
      t.stringColumn("setting").append((String) v[0]);
      t.intColumn("trial").append((Integer) v[1]);
      t.longColumn("seed").append((Integer) v[1]);
      t.stringColumn("backbone").append("resnet");
      t.stringColumn("method").append((String) v[2]);
      t.doubleColumn("accuracy").append((Double) v[3]);
      t.doubleColumn("replaced").append(0);
      t.doubleColumn("seconds").append(1);
      t.stringColumn("settings_hash").append("x");
      t.stringColumn("commit").append("");
      t.stringColumn("model_hash").append("");
      t.stringColumn("concept_hash").append("");
      t.stringColumn("settings").append("{}");
    }
    return t;
  }
}
