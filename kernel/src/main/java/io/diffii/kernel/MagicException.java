package io.diffii.kernel;

import java.util.List;

/** A line or cell magic failed: the magic's line, where it is, and why. */
final class MagicException extends CellException {

  /** Creates the failure of {@code magic} written at {@code where}, caused by {@code cause}. */
  MagicException(String where, String magic, Exception cause) {
    super(
        where + ": " + magic.strip() + ": " + reason(cause),
        List.of(where + ": " + magic.strip(), "    " + reason(cause)),
        cause);
  }

  private static String reason(Exception cause) {
    return cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage();
  }
}
