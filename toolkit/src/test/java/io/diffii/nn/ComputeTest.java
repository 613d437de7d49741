package io.diffii.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ComputeTest {

  private final Device before = Compute.device();

  @AfterEach
  void restore() {
    Compute.use(before);
  }

  @Test
  void namesMapToDevicesAndManagersFollowTheChoice() {
    assertEquals(Device.cpu(), Compute.parse("cpu"));
    assertEquals(Device.cpu(), Compute.parse(" CPU "));
    assertEquals(Engine.getInstance().defaultDevice(), Compute.parse("auto"));
    Compute.use("cpu");
    try (NDManager m = Compute.newManager()) {
      assertEquals(Device.cpu(), m.getDevice());
      assertEquals(Device.cpu(), m.zeros(new Shape(2)).getDevice());
    }
  }

  @Test
  void aGpuTheEngineDoesNotSeeIsAClearError() {
    int gpus = Engine.getInstance().getGpuCount();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Compute.parse("gpu:" + gpus));
    assertTrue(e.getMessage().contains("sees " + gpus + " GPU(s)"), e.getMessage());
    assertTrue(e.getMessage().contains("CUDA natives"), e.getMessage());
  }

  @Test
  void anUnknownNameListsTheChoices() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Compute.parse("tpu"));
    assertEquals("device tpu: expected auto, cpu, gpu or gpu:N (N a GPU index)", e.getMessage());
  }
}
