package io.diffii.kernel;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What one cell prints to standard output and error, batched and capped before it reaches Jupyter.
 *
 * <p>The messaging library sends a stream message for every flush of {@code System.out}, and its
 * stream flushes on every {@code println}: a cell printing a million lines would queue a million
 * messages and the notebook would hang. Here output collects in a buffer that goes out every {@link
 * #FLUSH_MILLIS} ms, when it reaches {@link #BATCH_BYTES}, and when the cell ends. Past {@code
 * limit} bytes per cell (both streams together) the rest is dropped, with one note saying so.
 */
final class CellOutput implements AutoCloseable {

  /** How often buffered output goes out while a cell runs. */
  static final long FLUSH_MILLIS = 100;

  /** A buffer this full goes out at once. */
  static final int BATCH_BYTES = 64 * 1024;

  /** Bytes a cell may send, both streams together (Jupyter front ends slow down far earlier). */
  static final long DEFAULT_LIMIT = 1024 * 1024;

  private final long limit;
  private final Batch out;
  private final Batch err;
  private final ScheduledExecutorService timer;
  private final ScheduledFuture<?> ticks;
  private long sent;
  private long dropped;
  private boolean closed;

  /**
   * Collects a cell's output for {@code out} and {@code err} (the streams Jupyter reads), sending
   * at most {@code limit} bytes.
   */
  CellOutput(PrintStream out, PrintStream err, long limit) {
    this.limit = limit;
    this.out = new Batch(out);
    this.err = new Batch(err);
    timer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "cell-output-flusher");
              thread.setDaemon(true);
              return thread;
            });
    ticks =
        timer.scheduleWithFixedDelay(
            this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Returns the stream a cell's {@code System.out} writes to. */
  PrintStream out() {
    return out.printer;
  }

  /** Returns the stream a cell's {@code System.err} writes to. */
  PrintStream err() {
    return err.printer;
  }

  /** Returns the number of bytes dropped past the limit so far. */
  synchronized long dropped() {
    return dropped;
  }

  /** Sends what is buffered; later output (from threads the cell left running) is dropped. */
  @Override
  public void close() {
    ticks.cancel(false);
    timer.shutdown();
    flush();
    synchronized (this) {
      if (dropped > 0) {
        err.target.printf(
            Locale.ROOT,
            "[output truncated: %,d of the cell's %,d bytes were not shown]%n",
            dropped,
            sent + dropped);
        err.target.flush();
      }
      closed = true;
    }
  }

  /** Sends what is buffered now. */
  synchronized void flush() {
    out.send();
    err.send();
  }

  /** Buffers what fits in the limit of the {@code length} bytes written to {@code batch}. */
  private synchronized void accept(Batch batch, byte[] bytes, int offset, int length) {
    if (closed) {
      return;
    }
    int kept = length;
    if (sent + length > limit) {
      // Cut at a character boundary, so the last line shown is not a broken UTF-8 sequence.
      kept = utf8Boundary(bytes, offset, (int) Math.max(0, limit - sent));
    }
    batch.buffer.write(bytes, offset, kept);
    sent += kept;
    if (kept < length) {
      if (dropped == 0) {
        flush();
        err.target.printf(
            Locale.ROOT,
            "%n[output truncated: the cell printed more than %,d bytes; the rest is dropped]%n",
            limit);
        err.target.flush();
      }
      dropped += length - kept;
    } else if (batch.buffer.size() >= BATCH_BYTES) {
      batch.send();
    }
  }

  /**
   * Returns the largest {@code n <= length} such that {@code bytes[offset, offset + n)} does not
   * end inside a UTF-8 sequence.
   */
  static int utf8Boundary(byte[] bytes, int offset, int length) {
    int end = length;
    // Step back over continuation bytes (10xxxxxx) to the lead byte of the last character.
    int lead = end - 1;
    while (lead >= 0 && end - lead < 4 && (bytes[offset + lead] & 0xC0) == 0x80) {
      lead--;
    }
    if (lead < 0) {
      return end;
    }
    int b = bytes[offset + lead] & 0xFF;
    int size = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    return lead + size <= end ? end : lead;
  }

  /** One stream's buffer, the print stream a cell writes to, and the stream Jupyter reads. */
  private final class Batch {

    final PrintStream target;
    final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    final PrintStream printer;
    private byte[] pending = new byte[0];

    Batch(PrintStream target) {
      this.target = target;
      OutputStream sink =
          new OutputStream() {
            @Override
            public void write(int b) {
              write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
              accept(Batch.this, bytes, offset, length);
            }
          };
      // No autoflush: the batch, not each println, decides when a message goes out.
      printer = new PrintStream(sink, false, StandardCharsets.UTF_8);
    }

    /** Hands the buffered whole characters to Jupyter's stream, keeping a split one for later. */
    void send() {
      byte[] bytes = concat(pending, buffer.toByteArray());
      buffer.reset();
      int whole = utf8Boundary(bytes, 0, bytes.length);
      pending = Arrays.copyOfRange(bytes, whole, bytes.length);
      if (whole > 0) {
        target.write(bytes, 0, whole);
        target.flush();
      }
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    if (a.length == 0) {
      return b;
    }
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
