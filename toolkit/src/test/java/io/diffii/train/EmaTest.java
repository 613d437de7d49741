package io.diffii.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmaTest {

  @Test
  void movesTowardTheWeightsGeometrically() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.create(new float[] {0f});
      try (Ema ema = new Ema(Map.of("w", w), 0.5)) {
        w.set(new float[] {1f});
        ema.update();
        ema.update();
        // 0 → 0.5 → 0.75 after two steps of decay 0.5 toward 1.
        assertEquals(0.75f, ema.averaged().get("w").getFloat(0), 1e-6);
        assertEquals(1f, w.getFloat(0));
      }
    }
  }
}
