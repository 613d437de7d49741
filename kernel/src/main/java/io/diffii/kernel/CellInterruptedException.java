package io.diffii.kernel;

import java.util.List;

/** The user interrupted the kernel while a cell ran; the rest of the cell was skipped. */
final class CellInterruptedException extends CellException {

  /** Creates the failure for a cell interrupted while running the snippet from {@code origin}. */
  CellInterruptedException(SnippetOrigin origin) {
    super(
        "interrupted at " + origin.where(1),
        List.of("Interrupted at " + origin.where(1) + ": " + origin.lineText(1)),
        null);
  }
}
