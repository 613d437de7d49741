package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.diffii.nn.Conv2d;
import io.diffii.nn.NamedBlock;
import org.junit.jupiter.api.Test;

class ResamplingTest {

  @Test
  void nearestUpsamplingRepeatsEachPixelAndCutsToAnOddTarget() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
      assertArrayEquals(
          new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
          Upsample2D.nearest(x, null).toFloatArray());
      assertArrayEquals(
          new float[] {1, 1, 2, 1, 1, 2, 3, 3, 4},
          Upsample2D.nearest(x, new long[] {3, 3}).toFloatArray());
      assertThrows(IllegalArgumentException.class, () -> Upsample2D.nearest(x, new long[] {5, 5}));
    }
  }

  @Test
  void downsamplingWithoutPaddingPadsOnlyBottomAndRight() {
    try (NDManager m = NDManager.newBaseManager()) {
      // A kernel that reads only its bottom-right tap picks x[2i+2, 2j+2] of the padded input.
      float[] w = new float[9];
      w[8] = 1;
      Downsample2D down = new Downsample2D(1, 0);
      setWeights(down, m, m.create(w, new Shape(1, 1, 3, 3)), m.zeros(new Shape(1)));
      NDArray x = m.arange(1f, 17f).reshape(1, 1, 4, 4);
      NDArray y = down.apply(x, false);
      assertEquals(new Shape(1, 1, 2, 2), y.getShape());
      assertArrayEquals(new float[] {11, 0, 0, 0}, y.toFloatArray());

      Downsample2D padded = new Downsample2D(1, 1);
      setWeights(padded, m, m.create(w, new Shape(1, 1, 3, 3)), m.zeros(new Shape(1)));
      assertArrayEquals(new float[] {6, 8, 14, 16}, padded.apply(x, false).toFloatArray());
    }
  }

  @Test
  void convolutionMatchesAHandComputedSum() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.arange(1f, 10f).reshape(1, 1, 3, 3);
      NDArray w = m.ones(new Shape(2, 1, 3, 3));
      NDArray b = m.create(new float[] {0.5f, -1f});
      NDArray y = Conv2d.conv2d(x, w, b, 1, 1);
      assertEquals(new Shape(1, 2, 3, 3), y.getShape());
      // Centre sees all nine values (45); the top-left corner sees 1, 2, 4, 5.
      assertEquals(45.5f, y.getFloat(0, 0, 1, 1));
      assertEquals(11f, y.getFloat(0, 1, 0, 0));
    }
  }

  private static void setWeights(NamedBlock block, NDManager m, NDArray weight, NDArray bias) {
    for (var e : block.stateDict().entrySet()) {
      NDArray value = e.getKey().endsWith("weight") ? weight : bias;
      Parameter p = e.getValue();
      p.setInitializer((manager, shape, type) -> value);
      p.initialize(m, DataType.FLOAT32);
    }
  }
}
