package io.diffii.kernel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jshell.execution.DirectExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Runs JShell snippets inside the kernel's own JVM, each on a fresh worker thread, keeping the
 * value of the last snippet as an object (JShell itself only reports its string form) so that the
 * kernel can render it as an image, a chart or a table.
 *
 * <p>Snippet classes are loaded by a child of the application class loader, so cells see the
 * kernel, the toolkit and their dependencies, and share static state with the kernel.
 */
final class CellExecutionControl extends DirectExecutionControl {

  /** How long an interrupted cell may take to notice the interruption before it is stopped. */
  private static final long STOP_GRACE_MILLIS = 2_000;

  private final AtomicReference<Thread> running = new AtomicReference<>();
  private volatile boolean stopRequested;
  private volatile Object lastValue;
  private int workers;

  /** Starts a cell: forgets a stop requested during the previous one. */
  void startCell() {
    stopRequested = false;
  }

  /** Returns the value of the most recently invoked snippet (null for statements). */
  Object lastValue() {
    return lastValue;
  }

  /** {@inheritDoc} */
  @Override
  protected String invoke(Method doIt) throws Exception {
    lastValue = null;
    AtomicReference<Object> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread worker =
        new Thread(
            () -> {
              try {
                // An interrupt that came while JShell compiled the snippet, or before this thread
                // started (when interrupting it has no effect), stops the snippet before it runs.
                if (stopRequested) {
                  throw new CancellationException("interrupted before the snippet ran");
                }
                result.set(doIt.invoke(null));
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "jshell-cell-" + ++workers);
    // Libraries that look up services or resources through the context loader (DJL does) must
    // also see jars added with %classpath, which only the snippet class loader knows.
    worker.setContextClassLoader(doIt.getDeclaringClass().getClassLoader());
    running.set(worker);
    try {
      worker.start();
      worker.join();
    } finally {
      running.set(null);
    }
    Throwable thrown = failure.get();
    if (thrown != null && stopRequested) {
      throw new ExecutionControl.StoppedException();
    }
    if (thrown instanceof Exception exception) {
      throw exception;
    }
    if (thrown != null) {
      throw new InvocationTargetException(thrown);
    }
    lastValue = result.get();
    return valueString(lastValue);
  }

  /**
   * Interrupts the running snippet; if it is still running after a grace period (a loop that never
   * checks for interruption), stops its thread. Called while no snippet runs (JShell compiling
   * one), it stops the cell's next snippet before it starts.
   */
  @Override
  public void stop() {
    stopRequested = true;
    Thread worker = running.get();
    if (worker == null) {
      return;
    }
    worker.interrupt();
    Thread stopper = new Thread(() -> stopAfterGrace(worker), "jshell-cell-stopper");
    stopper.setDaemon(true);
    stopper.start();
  }

  private static void stopAfterGrace(Thread worker) {
    try {
      worker.join(STOP_GRACE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    if (worker.isAlive()) {
      forceStop(worker);
    }
  }

  // Thread.stop is the only way to end user code that ignores interruption; JShell's own local
  // engine relies on it as well. From JDK 20 on it throws, and interruption is all that is left.
  @SuppressWarnings({"deprecation", "removal"})
  private static void forceStop(Thread worker) {
    try {
      worker.stop();
    } catch (UnsupportedOperationException e) {
      System.err.println("The cell ignores interruption and this JDK cannot stop it: " + e);
    }
  }

  /** Hands one {@link CellExecutionControl} to JShell. */
  static final class Provider implements ExecutionControlProvider {

    private final CellExecutionControl control;

    /** Creates a provider that hands out {@code control}. */
    Provider(CellExecutionControl control) {
      this.control = control;
    }

    /** {@inheritDoc} */
    @Override
    public String name() {
      return "diffii-cells";
    }

    /** {@inheritDoc} */
    @Override
    public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
      return control;
    }
  }
}
