package io.diffii.kernel;

import java.util.List;

/**
 * A cell failed. Carries the lines Jupyter shows as the traceback; the class's simple name is the
 * error name Jupyter shows.
 */
abstract class CellException extends Exception {

  private final List<String> traceback;

  /**
   * Creates a failure with a one-line {@code message} and the {@code traceback} lines. The kernel's
   * own stack is not recorded: the traceback says where in the cell it failed.
   */
  CellException(String message, List<String> traceback, Throwable cause) {
    super(message, cause, false, false);
    this.traceback = List.copyOf(traceback);
  }

  /** Returns the traceback lines, without line breaks inside them. */
  List<String> traceback() {
    return traceback;
  }
}
