package io.diffii.schedule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/** Classifier-free guidance (Ho and Salimans 2022), as Stable Diffusion pipelines apply it. */
public final class Guidance {

  private Guidance() {}

  /**
   * Returns \(\epsilon_u + w\,(\epsilon_c - \epsilon_u)\): the unconditional prediction (empty
   * prompt) moved toward the conditional one by the guidance scale w. w = 1 gives the conditional
   * prediction, w = 0 the unconditional one. In the manager of {@code uncond}.
   */
  public static NDArray guidance(NDArray uncond, NDArray cond, double scale) {
    if (!uncond.getShape().equals(cond.getShape())) {
      throw new IllegalArgumentException(
          "unconditional "
              + uncond.getShape()
              + " and conditional "
              + cond.getShape()
              + " predictions differ in shape");
    }
    try (NDScope scope = new NDScope()) {
      NDArray guided = uncond.add(cond.sub(uncond).mul(scale));
      NDScope.unregister(guided);
      return guided;
    }
  }
}
