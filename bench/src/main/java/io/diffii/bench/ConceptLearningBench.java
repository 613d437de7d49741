package io.diffii.bench;

import io.diffii.concept.ConceptLearner;
import io.diffii.data.ImageDataset;
import io.diffii.data.Splits;
import io.diffii.embedded.Embedded;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Concept learning as the embedded default runs it ({@code ConceptLearner} with the default's
 * settings, seed 0) on one training image per class, for {@link #steps} steps into a fresh folder.
 * A run also encodes the images, measures the held-out loss before and after, and saves the
 * concepts; those costs do not depend on the step count, so the table's per-step figure is the
 * difference between the two step counts divided by the difference of steps.
 */
@State(Scope.Benchmark)
public class ConceptLearningBench extends ModelBench {

  /** Optimiser steps per run. */
  @Param({"1", "11"})
  public int steps;

  private ImageDataset train;
  private Path dir;

  @Override
  protected void prepare() {
    train = Splits.fewShot(1, 0).train();
  }

  /** Makes the run's fresh folder. */
  @Setup(Level.Invocation)
  public void freshFolder() throws IOException {
    dir = Files.createTempDirectory("diffii-bench-concepts");
  }

  /** Learns the concepts. */
  @Benchmark
  public ConceptLearner.Result conceptLearning() {
    return SETTINGS
        .concept()
        .withSteps(steps)
        .applyTo(ConceptLearner.on(sd).metaclass(Embedded::metaclass).seed(0).quiet())
        .learn(train, dir);
  }

  /** Deletes the run's folder. */
  @TearDown(Level.Invocation)
  public void deleteFolder() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @Override
  protected Facts facts(String method) {
    int batch = SETTINGS.concept().batch();
    return Facts.of(batch, 0, (double) batch * steps, "images");
  }
}
