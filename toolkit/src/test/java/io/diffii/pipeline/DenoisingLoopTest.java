package io.diffii.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.model.UNet2DConditionModel;
import io.diffii.model.UNetConfig;
import io.diffii.schedule.DdimConfig;
import io.diffii.schedule.DdimScheduler;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class DenoisingLoopTest {

  private static int arrays(NDManager manager) {
    return ((BaseNDManager) manager).getManagedArrays().size();
  }

  @Test
  void twoHundredGuidedStepsLeaveOnlyTheResultInTheCallersManager() {
    UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.tiny());
    try (NDManager weights = NDManager.newBaseManager();
        NDManager run = NDManager.newBaseManager()) {
      weights.getEngine().setRandomSeed(0);
      unet.initializeParameters(weights);
      weights.cap();
      NDArray start = run.randomNormal(new Shape(2, 4, 8, 8));
      NDArray cond = run.randomNormal(new Shape(2, 77, 128));
      NDArray uncond = run.randomNormal(new Shape(2, 77, 128));
      int before = arrays(run);
      // Before the loop took views in each step's manager, every UNet intermediate of every step
      // stayed in the caller's manager until it closed: 3 GB over 25 steps at batch 20.
      NDArray out =
          DenoisingLoop.run(
              new Denoiser(unet),
              new DdimScheduler(DdimConfig.stableDiffusion()),
              200,
              start,
              PromptSchedule.constant(cond),
              uncond,
              3.0);
      assertEquals(start.getShape(), out.getShape());
      assertEquals(
          before + 1, arrays(run), "arrays left in the caller's manager besides the result");
    }
  }

  @Test
  void anInterruptedThreadStopsTheLoopBeforeItsNextStep() {
    UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.tiny());
    try (NDManager weights = NDManager.newBaseManager();
        NDManager run = NDManager.newBaseManager()) {
      unet.initializeParameters(weights);
      NDArray start = run.randomNormal(new Shape(1, 4, 8, 8));
      NDArray cond = run.randomNormal(new Shape(1, 77, 128));
      int before = arrays(run);
      DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
      int[] timesteps = scheduler.timesteps(10);
      // The notebook kernel's interrupt, arriving before the first step.
      Thread.currentThread().interrupt();
      var e =
          assertThrows(
              CancellationException.class,
              () ->
                  DenoisingLoop.run(
                      new Denoiser(unet),
                      scheduler,
                      timesteps,
                      start,
                      PromptSchedule.constant(cond),
                      null,
                      1.0));
      assertTrue(e.getMessage().contains("before timestep " + timesteps[0]), e.getMessage());
      assertFalse(Thread.currentThread().isInterrupted(), "the check clears the interrupt");
      assertEquals(before, arrays(run), "nothing left behind");
    }
  }
}
