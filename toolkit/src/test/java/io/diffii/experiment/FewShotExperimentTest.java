package io.diffii.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class FewShotExperimentTest {

  @Test
  void theSummaryIsMeanAndSampleStdOverTrialsWithTheGainOverOriginal() {
    Table trials =
        Table.create(
            "t",
            IntColumn.create("shots", 5, 5, 5, 5, 5, 5),
            IntColumn.create("trial", 0, 1, 2, 0, 1, 2),
            StringColumn.create("backbone", "resnet", "resnet", "resnet", "resnet", "resnet", "resnet"),
            StringColumn.create("method", "Diff-II", "Diff-II", "Diff-II", "Original", "Original", "Original"),
            DoubleColumn.create("accuracy", 60, 62, 64, 50, 50, 56),
            DoubleColumn.create("replaced", 0.5, 0.5, 0.5, 0, 0, 0),
            DoubleColumn.create("seconds", 1, 1, 1, 1, 1, 1));
    Table s = FewShotExperiment.summary(trials);
    assertEquals("Original", s.stringColumn("method").get(0), "Original first");
    assertEquals(52, s.doubleColumn("mean").get(0), 1e-12);
    assertEquals(3.46, s.doubleColumn("std").get(0), 1e-12, "sqrt(12), rounded to 2 decimals");
    assertEquals(0, s.doubleColumn("gain").get(0), 1e-12);
    assertEquals(62, s.doubleColumn("mean").get(1), 1e-12);
    assertEquals(2, s.doubleColumn("std").get(1), 1e-12);
    assertEquals(10, s.doubleColumn("gain").get(1), 1e-12);
    assertEquals("62.00 ± 2.00", s.stringColumn("accuracy").get(1));
  }
}
