package io.diffii.bench;

import io.diffii.augment.DiffIISettings;
import io.diffii.concept.ConceptLearner;
import io.diffii.data.ImageDataset;
import io.diffii.data.Splits;
import io.diffii.embedded.Embedded;
import io.diffii.io.Digests;
import io.diffii.model.StableDiffusion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Runs the embedded default's full concept learning (5-shot Fashion scenes, {@link
 * DiffIISettings#embedded()}'s concept settings, seed 0) several times in one JVM, each on a
 * freshly loaded model and into a fresh folder, and prints per run the steps dropped as non-finite,
 * the seconds, and digests of the losses and of the saved concept files. Equal digests across runs
 * (and across processes started with one intra-op thread) show that learning is deterministic. A
 * benchmark, not a test; run it like {@link UNetBench}:
 *
 * <pre>
 * OMP_NUM_THREADS=1 MKL_CBWR=COMPATIBLE java -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
 *     -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     io.diffii.bench.ConceptRuns 5 /tmp/concept-runs
 * </pre>
 *
 * <p>Arguments, all optional: runs (default 5), output folder (default a temporary one), steps
 * (default the embedded 600).
 */
public final class ConceptRuns {

  private ConceptRuns() {}

  /** Runs the repetitions and prints one line each. */
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path out =
        args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("diffii-concept-runs");
    DiffIISettings.Concept settings = DiffIISettings.embedded().concept();
    if (args.length > 2) {
      settings = settings.withSteps(Integer.parseInt(args[2]));
    }
    ImageDataset train = Splits.fewShot(5, 0).train();
    int totalSkipped = 0;
    for (int r = 0; r < runs; r++) {
      Path dir = out.resolve("run-" + r);
      try (StableDiffusion sd = StableDiffusion.load(Embedded.model())) {
        ConceptLearner.Result result =
            settings
                .applyTo(ConceptLearner.on(sd).metaclass(Embedded::metaclass).seed(0).quiet())
                .learn(train, dir);
        totalSkipped += result.skippedSteps();
        System.out.printf(
            Locale.ROOT,
            "run %d: %d steps, %d skipped, loss %.4f -> %.4f, %.0f s, losses %s, concept files %s%n",
            r,
            result.losses().size(),
            result.skippedSteps(),
            result.initialLoss(),
            result.finalLoss(),
            result.seconds(),
            Digests.of(result.losses().toString()).substring(0, 16),
            Digests.ofFolder(dir).substring(0, 16));
      }
    }
    System.out.println("skipped over " + runs + " runs: " + totalSkipped);
  }
}
