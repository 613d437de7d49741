package io.diffii.io;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * A one-line progress report with rate and ETA, rewritten in place ({@code \r}) on a terminal and
 * in a notebook's stream output, and printed every few percent when output goes to a log file.
 */
public final class Progress {

  private final String label;
  private final long total;
  private final PrintStream out;
  private final boolean inPlace;
  private final long startNanos = System.nanoTime();
  private long lastPrint;
  private long done;
  private long resumedAt;

  /** Reports on {@code System.err}, in place when a console is attached. */
  public Progress(String label, long total) {
    this(label, total, System.err, System.console() != null);
  }

  /** Reports on {@code out}; {@code inPlace} rewrites one line instead of appending lines. */
  public Progress(String label, long total, PrintStream out, boolean inPlace) {
    this.label = label;
    this.total = Math.max(1, total);
    this.out = out;
    this.inPlace = inPlace;
  }

  /**
   * Records that {@code n} units were already done by an earlier run; they do not enter the rate.
   */
  public void resumed(long n) {
    done = Math.min(total, done + n);
    resumedAt = done;
    if (n > 0) {
      out.println(label + " resumed at " + done + "/" + total);
    }
  }

  /** Records that {@code n} more units are done, with a short status such as the loss. */
  public void advance(long n, String status) {
    done = Math.min(total, done + n);
    long now = System.nanoTime();
    boolean last = done == total;
    long every = inPlace ? 200_000_000L : 0;
    boolean step = inPlace || done * 20 / total != (done - n) * 20 / total;
    if (!last && (!step || now - lastPrint < every)) {
      return;
    }
    lastPrint = now;
    double elapsed = (now - startNanos) / 1e9;
    long fresh = done - resumedAt;
    double eta = fresh == 0 ? 0 : elapsed * (total - done) / fresh;
    String line =
        String.format(
            Locale.ROOT,
            "%s %d/%d (%.0f%%) %s elapsed %s eta %s",
            label,
            done,
            total,
            100.0 * done / total,
            status == null ? "" : status,
            format(elapsed),
            format(eta));
    if (inPlace) {
      out.print("\r" + line + (last ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Returns the seconds since this report started. */
  public double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static String format(double seconds) {
    Duration d = Duration.ofSeconds(Math.round(seconds));
    return String.format(
        Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }
}
