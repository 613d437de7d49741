package io.diffii.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The snippet runner below the kernel: stopping a snippet before and while it runs. */
class CellExecutionControlTest {

  private final CellExecutionControl control = new CellExecutionControl();
  private JShell shell;

  @BeforeEach
  void start() {
    shell =
        JShell.builder()
            .executionEngine(new CellExecutionControl.Provider(control), Map.of())
            .build();
  }

  @AfterEach
  void close() {
    shell.close();
  }

  private SnippetEvent eval(String source) {
    return shell.eval(source).get(0);
  }

  @Test
  void aStopWhileASnippetCompilesKeepsItFromRunning() {
    eval("int kept = 5;");
    control.startCell();
    // What the kernel's interrupt does while JShell compiles: no snippet runs yet.
    control.stop();
    SnippetEvent stopped = eval("kept = 99");
    assertNull(stopped.value(), "the stopped snippet has no value");
    control.startCell();
    assertEquals("5", eval("kept").value());
  }

  @Test
  void aStopEndsASleepingSnippetWithinAMoment() throws Exception {
    control.startCell();
    System.clearProperty("diffii.test.sleeping");
    long[] stoppedAt = new long[1];
    Thread interrupter =
        new Thread(
            () -> {
              try {
                while (System.getProperty("diffii.test.sleeping") == null) {
                  Thread.sleep(10);
                }
              } catch (InterruptedException e) {
                return;
              }
              stoppedAt[0] = System.nanoTime();
              control.stop();
            });
    interrupter.start();
    eval("{ System.setProperty(\"diffii.test.sleeping\", \"yes\"); Thread.sleep(600_000); }");
    double seconds = (System.nanoTime() - stoppedAt[0]) / 1e9;
    interrupter.join();
    assertTrue(seconds < 1, "stopped after " + seconds + " s");
    control.startCell();
    assertEquals("2", eval("1 + 1").value());
  }

  @Test
  void aSnippetOutOfHeapFailsAndTheNextOneRuns() {
    // One array larger than the heap fails at once, without filling the test JVM's heap.
    assumeTrue(Runtime.getRuntime().maxMemory() < 15L << 30, "the heap holds 16 GiB");
    control.startCell();
    SnippetEvent failed = eval("long[] huge = new long[Integer.MAX_VALUE - 16];");
    EvalException thrown = assertInstanceOf(EvalException.class, failed.exception());
    assertEquals("java.lang.OutOfMemoryError", thrown.getExceptionClassName());
    assertEquals("3", eval("1 + 2").value());
  }
}
