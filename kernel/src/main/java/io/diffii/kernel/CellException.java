package io.diffii.kernel;

import java.util.List;

/**
 * A cell failed. Carries the lines Jupyter shows as the traceback; the class's simple name is the
 * error name Jupyter shows.
 */
abstract class CellException extends Exception {

  private final List<String> traceback;

  /** Creates a failure with a one-line {@code message} and the {@code traceback} lines. */
  CellException(String message, List<String> traceback, Throwable cause) {
    super(message, cause);
    this.traceback = List.copyOf(traceback);
  }

  /** Returns the traceback lines, without line breaks inside them. */
  List<String> traceback() {
    return traceback;
  }
}
