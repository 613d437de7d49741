package io.diffii.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.diffii.nn.NoGrad;

/**
 * The arrays of one benchmark invocation: a sub-manager that owns its inputs, and an {@link
 * NDScope} that also closes what lands in other managers (a network's results live in its input's
 * manager, ops on weights in theirs), so nothing outlives the invocation. Autograd recording is off
 * as in the pipeline (JMH's worker thread would otherwise record); a {@code GradientCollector}
 * opened inside turns it on for its span.
 */
final class Invocation implements AutoCloseable {

  private final NoGrad off;
  private final NDManager manager;
  private final NDScope scope;

  private Invocation(NDManager parent) {
    this.off = NoGrad.open();
    this.manager = parent.newSubManager();
    this.scope = new NDScope();
  }

  /** Opens an invocation whose arrays are children of {@code parent}. */
  static Invocation in(NDManager parent) {
    return new Invocation(parent);
  }

  /** Returns the invocation's manager. */
  NDManager manager() {
    return manager;
  }

  /** Returns a copy of {@code a} owned by this invocation. */
  NDArray copy(NDArray a) {
    NDArray c = a.duplicate();
    c.attach(manager);
    return c;
  }

  @Override
  public void close() {
    scope.close();
    manager.close();
    off.close();
  }
}
