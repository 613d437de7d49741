package io.diffii.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jdk.jshell.Diag;

/** JShell rejected a snippet: its diagnostics, each with the cell line and a caret under it. */
final class CompilationException extends CellException {

  /** Creates the failure for the {@code diagnostics} of the snippet from {@code origin}. */
  CompilationException(List<Diag> diagnostics, SnippetOrigin origin) {
    super(summary(diagnostics, origin), traceback(diagnostics, origin), null);
  }

  private static String summary(List<Diag> diagnostics, SnippetOrigin origin) {
    if (diagnostics.isEmpty()) {
      return origin.where(1) + ": the code does not compile";
    }
    Diag first = diagnostics.get(0);
    return origin.where(lineOf(origin.source(), first.getStartPosition()))
        + ": "
        + message(first).get(0);
  }

  private static List<String> traceback(List<Diag> diagnostics, SnippetOrigin origin) {
    List<String> lines = new ArrayList<>();
    if (diagnostics.isEmpty()) {
      lines.add(summary(diagnostics, origin));
      lines.add("    " + origin.lineText(1));
      return lines;
    }
    for (Diag diag : diagnostics) {
      String source = origin.source();
      int start = clamp(diag.getStartPosition(), source);
      int end = Math.max(start + 1, clamp(diag.getEndPosition(), source));
      int line = lineOf(source, start);
      int lineStart = source.lastIndexOf('\n', start - 1) + 1;
      int lineEnd = source.indexOf('\n', start);
      String text = source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd);
      List<String> message = message(diag);
      lines.add(origin.where(line) + ": " + message.get(0));
      message.subList(1, message.size()).forEach(detail -> lines.add("  " + detail.strip()));
      lines.add("    " + text);
      int caretEnd = Math.min(end, lineStart + text.length());
      lines.add("    " + " ".repeat(start - lineStart) + "^".repeat(Math.max(1, caretEnd - start)));
    }
    return lines;
  }

  // javac ends "cannot find symbol" with "location: class" naming JShell's unnamed wrapper class.
  private static List<String> message(Diag diag) {
    return diag.getMessage(Locale.ROOT)
        .lines()
        .filter(line -> !line.strip().equals("location: class"))
        .toList();
  }

  private static int clamp(long position, String source) {
    return (int) Math.max(0, Math.min(position, source.length()));
  }

  private static int lineOf(String source, long position) {
    int end = clamp(position, source);
    return (int) source.substring(0, end).chars().filter(c -> c == '\n').count() + 1;
  }
}
