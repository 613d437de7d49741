package io.diffii.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import jdk.jshell.EvalException;
import jdk.jshell.JShellException;

/**
 * Code in a cell threw. The traceback names the exception, the frame that threw it and the frames
 * in cell code, shown as the cell line and its text.
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

  /**
   * Lists each exception of the chain with the frame that threw it and the frames in cell code; the
   * library frames between them are counted, and the kernel's own frames below the cell left out,
   * so a failure deep in the toolkit shows its message and the cell line that called it.
   */
  private static List<String> traceback(
      JShellException thrown, Function<String, SnippetOrigin> origins) {
    List<String> lines = new ArrayList<>();
    Throwable current = thrown;
    String prefix = "";
    while (current != null) {
      lines.add(prefix + describe(current));
      StackTraceElement[] frames = current.getStackTrace();
      int hidden = 0;
      for (int i = 0; i < frames.length; i++) {
        SnippetOrigin origin = origin(frames[i], origins);
        if (i > 0 && origin == null) {
          hidden++;
          continue;
        }
        if (hidden > 0) {
          lines.add("    ... " + hidden + (hidden == 1 ? " library frame" : " library frames"));
          hidden = 0;
        }
        lines.add(
            "    at " + (origin == null ? frames[i].toString() : cellFrame(frames[i], origin)));
      }
      current = current.getCause();
      prefix = "Caused by: ";
    }
    if (describe(thrown).startsWith(OutOfMemoryError.class.getName())) {
      lines.add(
          String.format(
              Locale.ROOT,
              "The kernel is still running; what the cell allocated is freed unless a variable"
                  + " still holds it (heap limit %,d MiB, -Xmx).",
              Runtime.getRuntime().maxMemory() >> 20));
    }
    return lines;
  }

  // JShell names the source of snippet frames "#<snippet id>" and numbers lines within the snippet.
  private static SnippetOrigin origin(
      StackTraceElement frame, Function<String, SnippetOrigin> origins) {
    String file = frame.getFileName();
    return file != null && file.startsWith("#") ? origins.apply(file.substring(1)) : null;
  }

  private static String cellFrame(StackTraceElement frame, SnippetOrigin origin) {
    String method = frame.getMethodName().isEmpty() ? "" : frame.getMethodName() + "(), ";
    return method
        + origin.where(frame.getLineNumber())
        + ": "
        + origin.lineText(frame.getLineNumber());
  }
}
