package io.diffii.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.augment.DiffIISettings;
import io.diffii.augment.Interpolation;
import io.diffii.classify.FineTune;
import io.diffii.embedded.Embedded;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class AblationExperimentTest {

  @TempDir Path dir;

  @Test
  void table4HasThePapersRowsWithTheirSwitches() {
    DiffIISettings base = DiffIISettings.embedded();
    List<AblationExperiment.Variant> rows = AblationExperiment.table4();
    assertEquals(
        List.of(
            "Class prompt", "CL", "CL+LI", "CL+SI", "CL+SE", "CL+SI+SE", "CL+TD", "CL+SI+SE+TD"),
        rows.stream().map(AblationExperiment.Variant::label).toList());
    boolean[] concepts = {false, true, true, true, true, true, true, true};
    Interpolation[] modes = {
      Interpolation.NOISE,
      Interpolation.NOISE,
      Interpolation.LINEAR,
      Interpolation.SPHERICAL,
      Interpolation.EXTRAPOLATION,
      Interpolation.CIRCLE,
      Interpolation.NOISE,
      Interpolation.CIRCLE
    };
    boolean[] twoStage = {false, false, false, false, false, false, true, true};
    for (int i = 0; i < rows.size(); i++) {
      DiffIISettings d = rows.get(i).change().apply(base);
      String row = rows.get(i).label();
      assertEquals(concepts[i], d.concept().enabled(), row);
      assertEquals(modes[i], d.inversion().interpolation(), row);
      assertEquals(twoStage[i], d.sampling().twoStage(), row);
      assertEquals(base.sampling().splitRatio(), d.sampling().splitRatio(), row);
    }
    assertEquals(
        base, rows.get(7).change().apply(base), "the last row is Diff-II's embedded settings");
    List<AblationExperiment.Variant> f7 = AblationExperiment.splitRatios();
    assertEquals(11, f7.size());
    assertEquals("s=0.3", f7.get(3).label());
    assertEquals(0.3, f7.get(3).change().apply(base).sampling().splitRatio(), 1e-12);
    assertEquals(1.0, f7.get(10).x());
  }

  private static Table rows(double... x) {
    return Table.create(
        "rows",
        StringColumn.create("variant", "Original", "Original", "A", "A", "B", "B"),
        StringColumn.create("description", "real", "real", "a", "a", "b", "b"),
        DoubleColumn.create("x", Double.NaN, Double.NaN, x[0], x[0], x[1], x[1]),
        IntColumn.create("trial", 0, 1, 0, 1, 0, 1),
        DoubleColumn.create("accuracy", 50, 52, 60, 64, 70, 70),
        DoubleColumn.create("diversity", Double.NaN, Double.NaN, 10, 20, 30, 30));
  }

  private static final List<SetMeasure> DIVERSITY =
      List.of(new SetMeasure("diversity", "test", s -> 0));

  @Test
  void theSummaryIsMeanAndSampleStdPerVariantInOrderAndTheChartFollowsTheAxis() {
    AblationResult bars =
        AblationResult.of("t", rows(Double.NaN, Double.NaN), rows(0, 0), DIVERSITY);
    Table s = bars.summary();
    assertEquals(List.of("Original", "A", "B"), s.stringColumn("variant").asList());
    assertEquals(List.of(2, 2, 2), s.intColumn("trials").asList());
    assertEquals(62, s.doubleColumn("accuracy_mean").get(1), 1e-12);
    assertEquals(Math.sqrt(8), s.doubleColumn("accuracy_std").get(1), 1e-12);
    assertEquals(15, s.doubleColumn("diversity_mean").get(1), 1e-12);
    assertEquals(Math.sqrt(50), s.doubleColumn("diversity_std").get(1), 1e-12);
    assertEquals(0, s.doubleColumn("diversity_std").get(2), 1e-12);
    assertEquals("62.00 ± 2.83", s.stringColumn("accuracy").get(1));
    assertEquals("—", s.stringColumn("diversity").get(0), "Original has no synthetic set");
    assertInstanceOf(CategoryChart.class, bars.chart(), "Table 4: bars");
    assertTrue(
        io.diffii.notebook.Charts.png(bars.chart()).length > 0, "renders with Original's NaN");

    AblationResult curve = AblationResult.of("t", rows(0.1, 0.9), rows(0, 0), DIVERSITY);
    XYChart chart = assertInstanceOf(XYChart.class, curve.chart(), "a sweep: curves");
    assertEquals(0, chart.getSeriesMap().get("accuracy").getYAxisGroup());
    assertEquals(1, chart.getSeriesMap().get("diversity").getYAxisGroup());
    assertEquals(
        List.of(Math.sqrt(50), 0.0),
        java.util.Arrays.stream(chart.getSeriesMap().get("diversity").getExtraValues())
            .boxed()
            .toList(),
        "error bars are the std");
    assertTrue(io.diffii.notebook.Charts.png(chart).length > 0);
  }

  @Test
  void variantsShareTheTrialsConceptsAndOriginalAndMeasuresAreCached() throws Exception {
    AtomicInteger measured = new AtomicInteger();
    SetMeasure count =
        new SetMeasure(
            "images",
            "images in the set",
            set -> {
              measured.incrementAndGet();
              return set.size();
            });
    AblationExperiment tiny =
        AblationExperiment.on(Embedded.benchmark(), io.diffii.data.Splits::fewShot)
            .variants(AblationExperiment.splitRatios(0, 1))
            .measures(List.of(count))
            .shots(2)
            .trials(1)
            .testLimit(100)
            .recipe(b -> FineTune.fewShotRecipe(b).withEpochs(1))
            .diffII(
                d ->
                    d.withExpansion(1)
                        .withConcept(d.concept().withSteps(3).withBatch(4))
                        .withInversion(d.inversion().withSteps(4))
                        .withSampling(d.sampling().withSteps(4).withBatch(10)))
            .out(dir);
    AblationResult r = tiny.run();
    assertEquals(List.of("Original", "s=0", "s=1"), r.rows().stringColumn("variant").asList());
    assertEquals(List.of(20.0, 20.0), r.rows().doubleColumn("images").asList().subList(1, 3));
    assertEquals(2, measured.get());
    try (Stream<Path> list = Files.list(dir.resolve("2-shot/trial-0"))) {
      List<String> folders = list.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(
          1, folders.stream().filter(f -> f.startsWith("concepts-")).count(), folders.toString());
      assertEquals(
          2, folders.stream().filter(f -> f.startsWith("diffii-")).count(), folders.toString());
    }
    assertEquals(3, Table.read().csv(dir.resolve(Experiment.ROWS).toFile()).rowCount());
    AblationResult again = tiny.run();
    assertEquals(2, measured.get(), "measures come from measures.csv");
    assertEquals(
        r.rows().doubleColumn("accuracy").asList(), again.rows().doubleColumn("accuracy").asList());
    var grid = r.sameStarts(List.of("s=0", "s=1"), 0, 2);
    assertEquals(2, grid.rows());
    assertEquals(2, grid.columns());
    List<Path> files = r.write(dir.resolve("out"), "split-ratio");
    for (Path f : files) {
      assertTrue(Files.size(f) > 0, f.toString());
    }
  }
}
