package io.diffii.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table's figures from JMH scores and the forks' facts. */
class TableTest {

  private static final String UNET = "io.diffii.bench.UNetForwardBench.unetForward";
  private static final String CONCEPTS = "io.diffii.bench.ConceptLearningBench.conceptLearning";

  @Test
  void gflopsAndItemsComeFromTheMatchingFacts() {
    Table t =
        Table.of(
            List.of(new Table.Run(UNET, Map.of("batch", "8", "model", "embedded"), 100, 2)),
            List.of(
                new Facts(UNET, Map.of("batch", "1", "model", "embedded"), 1, 1, 1, "latents", 1),
                new Facts(
                    UNET,
                    Map.of("model", "embedded", "batch", "8"),
                    8,
                    800_000_000L,
                    8,
                    "latents",
                    2048)));
    Table.Row r = t.rows().get(0);
    assertEquals("UNetForwardBench.unetForward", r.benchmark());
    assertEquals(8, r.batch());
    // 1.6 GFLOP in 0.1 s; 8 latents in 0.1 s.
    assertEquals(16.0, r.gflopsPerSecond(), 1e-9);
    assertEquals(80.0, r.itemsPerSecond(), 1e-9);
    assertTrue(t.markdown("h").contains("| 16.00 | 80.0 latents | 2 |"), t.markdown("h"));
  }

  @Test
  void perStepRowIsTheDifferenceOverTheStepCounts() {
    Table t =
        Table.of(
            List.of(
                new Table.Run(CONCEPTS, Map.of("steps", "1"), 3000, 0),
                new Table.Run(CONCEPTS, Map.of("steps", "11"), 5000, 0)),
            List.of(
                new Facts(CONCEPTS, Map.of("steps", "1"), 16, 0, 16, "images", 100),
                new Facts(CONCEPTS, Map.of("steps", "11"), 16, 0, 176, "images", 200)));
    assertEquals(3, t.rows().size());
    Table.Row step = t.rows().get(2);
    assertEquals("ConceptLearningBench.conceptLearning per step", step.benchmark());
    assertEquals(200.0, step.millis(), 1e-9);
    // 16 images a step of 0.2 s.
    assertEquals(80.0, step.itemsPerSecond(), 1e-9);
    assertEquals(200, step.peakKib());
  }
}
