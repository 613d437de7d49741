package io.diffii.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of a data set's listing file, each remembering its file and line number so that a bad
 * line gives one error naming both. Blank lines and lines starting with {@code #} are skipped.
 */
final class TextLines {

  private TextLines() {}

  /** One non-blank line of a listing file. */
  record Line(Path file, int number, String text) {

    /**
     * Returns the whitespace-separated fields, exactly {@code count} of them, the last taking the
     * rest.
     */
    String[] fields(int count, String expected) {
      String[] parts = text.strip().split("\\s+", count);
      if (parts.length != count) {
        throw error("expected " + expected);
      }
      return parts;
    }

    /** Returns {@code field} as an integer, or an error naming what it should be. */
    int integer(String field, String what) {
      try {
        return Integer.parseInt(field.strip());
      } catch (NumberFormatException e) {
        throw error(what + " must be an integer, got \"" + field + "\"");
      }
    }

    /** Returns an error naming this file and line, with the line's text. */
    IllegalArgumentException error(String message) {
      return new IllegalArgumentException(
          file + " line " + number + ": " + message + " (line: \"" + text.strip() + "\")");
    }
  }

  /** Returns the non-blank, non-comment lines of {@code file}, which must exist. */
  static List<Line> read(Path file, String dataset) {
    requireFile(file, dataset);
    List<String> raw;
    try {
      raw = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      String text = raw.get(i);
      if (i == 0 && text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      if (!text.isBlank() && !text.strip().startsWith("#")) {
        lines.add(new Line(file, i + 1, text));
      }
    }
    return lines;
  }

  /** Checks that {@code file} exists, or gives an error naming it and the data set layout. */
  static void requireFile(Path file, String dataset) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "missing file " + file + ": not a " + dataset + " folder in its published layout");
    }
  }

  /** Checks that the image a line names exists. */
  static Path requireImage(Line line, Path image) {
    if (!Files.isRegularFile(image)) {
      throw line.error("image file " + image + " does not exist");
    }
    return image;
  }
}
