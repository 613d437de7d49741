package io.diffii.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file whole or not at all: into a sibling {@code <name>.tmp} first, then renamed over the
 * target in one step, so a process killed while writing leaves the old file (or none) and never a
 * file cut short that a resumed run would take for finished work. A stale {@code .tmp} a killed
 * writer left is simply overwritten by the next write.
 */
public final class AtomicFiles {

  /** Writes the content of a file to the temporary path it is given. */
  @FunctionalInterface
  public interface Writer {
    /** Writes the whole content to {@code tmp}. */
    void writeTo(Path tmp) throws IOException;

    /**
     * Writes a value of type {@code T} to a file.
     *
     * @param <T> what is written
     */
    @FunctionalInterface
    interface Of<T> {
      /** Writes {@code value} to {@code file}. */
      void write(T value, Path file) throws IOException;
    }
  }

  private AtomicFiles() {}

  /**
   * Creates {@code file}'s folder, runs {@code writer} on a sibling temporary file and moves it
   * over {@code file}; an error names {@code file} and {@code what} ("synthetic image").
   */
  public static void write(Path file, String what, Writer writer) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      writer.writeTo(tmp);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw failed(file, what, tmp, e);
    } catch (UncheckedIOException e) {
      throw failed(file, what, tmp, e.getCause());
    }
  }

  private static UncheckedIOException failed(Path file, String what, Path tmp, IOException e) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // The write failed already; that error is the one to report.
    }
    return new UncheckedIOException("cannot write " + what + " " + file + ": " + describe(e), e);
  }

  /** Writes {@code text} (UTF-8) to {@code file} atomically. */
  public static void writeString(Path file, String what, String text) {
    write(file, what, tmp -> Files.writeString(tmp, text));
  }

  /** Returns an I/O error's message, or its class name when it has none. */
  private static String describe(IOException e) {
    String m = e.getMessage();
    return m == null || m.isBlank()
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + " " + m;
  }
}
