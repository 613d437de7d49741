package io.diffii.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Turns PyTorch's autograd recording off on the current thread until closed, then restores the
 * previous mode. DJL turns it off only on the thread that starts the engine; a notebook kernel runs
 * each cell on a new thread, where PyTorch's default (on) makes every in-place update of a
 * trainable array fail ("a leaf Variable that requires grad is being used in an in-place
 * operation"). A {@code GradientCollector} opened inside turns recording on for its own span.
 */
public final class NoGrad implements AutoCloseable {

  private final boolean previous;

  private NoGrad() {
    // The engine loads the native library that holds the mode.
    Engine.getInstance();
    previous = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
  }

  /** Turns recording off on this thread until {@link #close}. */
  public static NoGrad open() {
    return new NoGrad();
  }

  /** Restores the mode this thread had before {@link #open}. */
  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
