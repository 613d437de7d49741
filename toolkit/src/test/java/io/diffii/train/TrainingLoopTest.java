package io.diffii.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.diffii.schedule.GaussianNoise;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrainingLoopTest {

  private static final int STEPS = 7;
  private static final float[] TRUE_WEIGHTS = {0.5f, -1f, 2f, 0.25f};

  @TempDir Path dir;

  /** Weights and moving average at the end of a run, and what the loop reported. */
  private record Run(float[] weights, float[] averaged, TrainingLoop.Result result) {}

  /**
   * Fits w to random regression batches (noise drawn from the step's generator) with {@code kind}
   * and a moving average, from the same starting weights every time; the thread is interrupted
   * during step {@code interruptAt}, as the notebook kernel's interrupt does.
   */
  private static Run fit(String kind, Path checkpoint, long stopAfter, long interruptAt) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {0.1f, 0.2f, -0.3f, 0.4f});
      Map<String, NDArray> params = Map.of("w", w);
      try (Optimizer opt =
              kind.equals("sgd")
                  ? new Sgd(params, 0.9, 1e-3)
                  : new AdamW(params, AdamW.Config.withWeightDecay(1e-2));
          Ema ema = new Ema(params, 0.5)) {
        TrainingLoop loop =
            TrainingLoop.named("toy", STEPS, 11)
                .optimize(
                    "model", opt, step -> LearningRate.warmupCosine(0.05, 2, STEPS, (int) step))
                .state("ema", ema)
                .afterStep(step -> ema.update())
                .clipTo(1.0)
                .stopAfter(stopAfter)
                .quiet();
        if (checkpoint != null) {
          loop.checkpoint(checkpoint, 3);
        }
        TrainingLoop.Result r =
            loop.run(
                (step, rng, scope) -> {
                  if (step == interruptAt) {
                    Thread.currentThread().interrupt();
                  }
                  return regression(w, rng, scope);
                });
        return new Run(w.toFloatArray(), ema.averaged().get("w").toFloatArray(), r);
      }
    }
  }

  private static Run fit(String kind, Path checkpoint, long stopAfter) {
    return fit(kind, checkpoint, stopAfter, Long.MAX_VALUE);
  }

  private static NDArray regression(NDArray w, java.util.Random rng, NDManager scope) {
    NDArray x = GaussianNoise.sample(scope, new Shape(8, 4), DataType.FLOAT32, rng);
    NDArray y = x.matMul(scope.create(TRUE_WEIGHTS));
    return x.matMul(w).sub(y).square().mean();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adamw"})
  void aRunStoppedAtStepKAndResumedEndsBitIdenticalToAnUninterruptedOne(String kind) {
    Run straight = fit(kind, dir.resolve("straight.safetensors"), Long.MAX_VALUE);
    Run stopped = fit(kind, dir.resolve("resumed.safetensors"), 4);
    assertEquals(4, stopped.result().reached());
    assertFalse(
        java.util.Arrays.equals(straight.weights(), stopped.weights()),
        "the stop came before the end");
    Run resumed = fit(kind, dir.resolve("resumed.safetensors"), Long.MAX_VALUE);
    assertEquals(4, resumed.result().resumedFrom());
    assertEquals(STEPS - 4, resumed.result().losses().size());
    assertArrayEquals(straight.weights(), resumed.weights());
    assertArrayEquals(straight.averaged(), resumed.averaged());
    assertEquals(straight.result().losses().subList(4, STEPS), resumed.result().losses());
  }

  /**
   * A notebook kernel runs each cell on a fresh thread, where PyTorch records autograd by default;
   * the optimisers' in-place updates then failed with "a leaf Variable that requires grad is being
   * used in an in-place operation" (notebook 04's second table).
   */
  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adamw"})
  void aThreadThatRecordsAutogradTrainsLikeAnyOtherAndKeepsItsMode(String kind) throws Exception {
    Run here = fit(kind, null, Long.MAX_VALUE);
    Run[] there = new Run[1];
    boolean[] modeAfter = new boolean[1];
    Throwable[] failure = new Throwable[1];
    Thread cell =
        new Thread(
            () -> {
              try {
                JniUtils.setGradMode(true);
                there[0] = fit(kind, null, Long.MAX_VALUE);
                modeAfter[0] = JniUtils.isGradMode();
              } catch (Throwable t) {
                failure[0] = t;
              }
            });
    cell.start();
    cell.join();
    assertEquals(null, failure[0], () -> String.valueOf(failure[0]));
    assertArrayEquals(here.weights(), there[0].weights());
    assertTrue(modeAfter[0], "the thread's own mode is restored");
  }

  @Test
  void anInterruptedThreadStopsBeforeTheNextStepAndTheRerunResumesExactly() {
    Run straight = fit("adamw", dir.resolve("straight.safetensors"), Long.MAX_VALUE);
    Path file = dir.resolve("interrupted.safetensors");
    var e =
        assertThrows(
            java.util.concurrent.CancellationException.class,
            () -> fit("adamw", file, Long.MAX_VALUE, 4));
    assertTrue(e.getMessage().contains("toy before step 5"), e.getMessage());
    assertFalse(Thread.currentThread().isInterrupted(), "the check clears the interrupt");
    Run resumed = fit("adamw", file, Long.MAX_VALUE);
    assertEquals(3, resumed.result().resumedFrom());
    assertArrayEquals(straight.weights(), resumed.weights());
  }

  @Test
  void theLastStepIsCheckpointedSoAFinishedRunResumesToNothing() {
    Path file = dir.resolve("ckpt.safetensors");
    // Every 3 steps of 7: without the final save, the file would stop at step 6.
    Run done = fit("adamw", file, Long.MAX_VALUE);
    try (NDManager m = NDManager.newBaseManager()) {
      Checkpoint.State state = Checkpoint.load(file, m).orElseThrow();
      assertEquals(STEPS, state.step());
      assertEquals(11, state.seed());
      assertArrayEquals(done.weights(), state.group("model").get("w").toFloatArray());
      assertTrue(
          state
              .groups()
              .keySet()
              .containsAll(java.util.List.of("model", "model_optimizer", "ema")));
    }
    Run again = fit("adamw", file, Long.MAX_VALUE);
    assertEquals(STEPS, again.result().resumedFrom());
    assertTrue(again.result().losses().isEmpty(), "no step runs after the last one");
    assertArrayEquals(done.weights(), again.weights());
    assertArrayEquals(done.averaged(), again.averaged());
  }

  @Test
  void nonFiniteStepsAreDroppedCountedAndReported() {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    TrainingLoop.Result r;
    float[] weights;
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {0.1f, 0.2f, -0.3f, 0.4f});
      try (AdamW opt = new AdamW(Map.of("w", w), AdamW.Config.withWeightDecay(0))) {
        r =
            TrainingLoop.named("toy", STEPS, 11)
                .optimize("model", opt, step -> 0.05)
                .reportTo(new PrintStream(text, true, StandardCharsets.UTF_8))
                .run(
                    (step, rng, scope) -> {
                      NDArray loss = regression(w, rng, scope);
                      if (step == 2) {
                        return loss.mul(Float.NaN);
                      }
                      if (step == 4) {
                        // A finite loss (0) whose gradient, d√|u|/du at u = 0, is not.
                        return loss.mul(0).add(w.sub(w.stopGradient()).abs().sqrt().sum());
                      }
                      return loss;
                    });
        weights = w.toFloatArray();
      }
    }
    assertEquals(2, r.skippedSteps());
    assertTrue(Double.isNaN(r.losses().get(2)));
    assertEquals(0.0, r.losses().get(4));
    for (float v : weights) {
      assertTrue(Float.isFinite(v), java.util.Arrays.toString(weights));
    }
    assertFalse(
        java.util.Arrays.equals(new float[] {0.1f, 0.2f, -0.3f, 0.4f}, weights),
        "the finite steps trained");
    String lines = text.toString(StandardCharsets.UTF_8);
    assertTrue(lines.contains("toy 7/7") && lines.contains("skipped 2"), lines);
  }

  @Test
  void aCheckpointOfAnotherSeedIsRefused() throws Exception {
    Path file = dir.resolve("ckpt.safetensors");
    fit("sgd", file, 2);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {0.1f, 0.2f, -0.3f, 0.4f});
      try (Sgd opt = new Sgd(Map.of("w", w), 0.9, 0)) {
        TrainingLoop other =
            TrainingLoop.named("toy", STEPS, 12)
                .optimize("model", opt, step -> 0.01)
                .checkpoint(file, 3)
                .quiet();
        var e =
            assertThrows(
                IllegalArgumentException.class, () -> other.run((step, rng, scope) -> w.sum()));
        assertTrue(e.getMessage().contains("seed 11"), e.getMessage());
      }
    }
    assertTrue(Files.isRegularFile(file));
  }
}
