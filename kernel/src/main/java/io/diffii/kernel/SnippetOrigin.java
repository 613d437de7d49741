package io.diffii.kernel;

/**
 * Where a snippet's source came from, so errors can name the line a user wrote.
 *
 * @param label what held the source, e.g. {@code cell [3]} or {@code %load setup.jsh}
 * @param firstLine the line of that text on which the snippet starts (1-based)
 * @param source the snippet's source, exactly as handed to JShell
 */
record SnippetOrigin(String label, int firstLine, String source) {

  /** Returns "label line N" for line {@code snippetLine} (1-based) of the snippet. */
  String where(int snippetLine) {
    return label + " line " + (firstLine + snippetLine - 1);
  }

  /** Returns the text of line {@code snippetLine} (1-based) of the snippet, without indentation. */
  String lineText(int snippetLine) {
    String[] lines = source.split("\n", -1);
    return snippetLine >= 1 && snippetLine <= lines.length ? lines[snippetLine - 1].strip() : "";
  }
}
