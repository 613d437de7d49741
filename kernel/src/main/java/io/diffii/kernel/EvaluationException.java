package io.diffii.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import jdk.jshell.EvalException;
import jdk.jshell.JShellException;

/**
 * Code in a cell threw. The traceback names the exception, then each frame, with frames in cell
 * code shown as the cell line and its text.
 */
final class EvaluationException extends CellException {

  /** Creates the failure for {@code thrown}; {@code origins} maps snippet ids to their origin. */
  EvaluationException(JShellException thrown, Function<String, SnippetOrigin> origins) {
    super(describe(thrown), traceback(thrown, origins), thrown);
  }

  private static String describe(Throwable thrown) {
    String type =
        thrown instanceof EvalException eval
            ? eval.getExceptionClassName()
            : thrown.getClass().getName();
    return thrown.getMessage() == null ? type : type + ": " + thrown.getMessage();
  }

  private static List<String> traceback(
      JShellException thrown, Function<String, SnippetOrigin> origins) {
    List<String> lines = new ArrayList<>();
    Throwable current = thrown;
    String prefix = "";
    while (current != null) {
      lines.add(prefix + describe(current));
      for (StackTraceElement frame : current.getStackTrace()) {
        lines.add("    at " + frame(frame, origins));
      }
      current = current.getCause();
      prefix = "Caused by: ";
    }
    return lines;
  }

  // JShell names the source of snippet frames "#<snippet id>" and numbers lines within the snippet.
  private static String frame(StackTraceElement frame, Function<String, SnippetOrigin> origins) {
    String file = frame.getFileName();
    SnippetOrigin origin =
        file != null && file.startsWith("#") ? origins.apply(file.substring(1)) : null;
    if (origin == null) {
      return frame.toString();
    }
    String method = frame.getMethodName().isEmpty() ? "" : frame.getMethodName() + "(), ";
    return method
        + origin.where(frame.getLineNumber())
        + ": "
        + origin.lineText(frame.getLineNumber());
  }
}
