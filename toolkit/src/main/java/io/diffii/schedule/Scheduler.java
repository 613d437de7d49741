package io.diffii.schedule;

import ai.djl.ndarray.NDArray;

/**
 * What a denoising loop needs from a scheduler, and nothing about a model: the timesteps to visit
 * and the update from one sample to the next given the model's noise prediction. {@link
 * DdimScheduler} walks from noise to data, {@link DdimInverseScheduler} from data to noise (DDIM
 * inversion); the same loop drives both.
 */
public interface Scheduler {

  /** Returns the noise schedule configuration. */
  DdimConfig config();

  /** Fixes the number of steps and returns the timesteps in the order the loop visits them. */
  int[] timesteps(int numInferenceSteps);

  /**
   * Returns the next sample from the noise prediction {@code modelOutput} at timestep {@code t}.
   */
  NDArray step(NDArray modelOutput, int t, NDArray sample);
}
