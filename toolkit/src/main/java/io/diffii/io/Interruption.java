package io.diffii.io;

import java.util.concurrent.CancellationException;

/**
 * Cooperative interruption of long loops. The training and denoising loops call {@link #check} once
 * per step, so interrupting the thread that runs them (the notebook kernel's interrupt, {@code
 * Future.cancel(true)}) ends the run between two steps: each step's arrays are closed by their
 * scopes on the way out, and checkpoints and files already written stay as they are, so a rerun
 * resumes.
 */
public final class Interruption {

  private Interruption() {}

  /**
   * Throws a {@link CancellationException} naming {@code where} if the current thread has been
   * interrupted, clearing its interrupt status as {@link InterruptedException} does.
   */
  public static void check(String where) {
    if (Thread.interrupted()) {
      throw new CancellationException(where + ": interrupted");
    }
  }
}
