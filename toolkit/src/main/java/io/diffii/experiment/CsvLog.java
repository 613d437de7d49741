package io.diffii.experiment;

import io.diffii.io.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * A CSV file of finished rows with a fixed schema, read and written by Tablesaw. Appending rewrites
 * the file through a temporary one, so a killed run leaves the old file or the new one.
 */
final class CsvLog {

  private final Path file;
  private final Table schema;

  /** A log in {@code file} whose columns are those of the (empty) {@code schema}. */
  CsvLog(Path file, Table schema) {
    this.file = file;
    this.schema = schema;
  }

  /** Returns every row written so far (none when the file does not exist yet). */
  Table read() {
    if (!Files.isRegularFile(file)) {
      return schema.emptyCopy();
    }
    Table t;
    try {
      t =
          Table.read()
              .usingOptions(
                  CsvReadOptions.builder(file.toFile())
                      .columnTypes(schema.typeArray())
                      .maxCharsPerColumn(1 << 16));
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          file + " is not a table this version writes; use another output folder", e);
    }
    if (!t.columnNames().equals(schema.columnNames())) {
      throw new IllegalStateException(
          file
              + " has columns "
              + t.columnNames()
              + ", not "
              + schema.columnNames()
              + " (an older version's); use another output folder");
    }
    return t;
  }

  /** Appends {@code rows}, which have the schema's columns. */
  void append(Table rows) {
    Table all = read().append(rows);
    AtomicFiles.write(file, "table", tmp -> all.write().csv(tmp.toFile()));
  }
}
