package io.diffii.bench;

import com.google.gson.Gson;
import io.diffii.io.Resident;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * What the table adds to JMH's timing of one benchmark run: the batch, the multiply-adds and the
 * items (images, latents) of one operation, and the forked JVM's peak resident memory. Each fork
 * appends its line to the file named by the system property {@value #PROPERTY} when its trial ends;
 * the runner reads them back and matches them to JMH's results by benchmark and parameters.
 *
 * @param benchmark JMH's benchmark name ({@code class.method})
 * @param params the JMH parameters of the run
 * @param batch the batch of the operation
 * @param macs multiply-adds of one operation (0: not counted)
 * @param items what one operation produces, in {@code unit}
 * @param unit what the items are ("images", "latents")
 * @param peakKib the fork's peak resident memory in KiB
 */
public record Facts(
    String benchmark,
    Map<String, String> params,
    int batch,
    long macs,
    double items,
    String unit,
    long peakKib) {

  /** The system property naming the file the forks append to. */
  public static final String PROPERTY = "diffii.bench.facts";

  private static final Gson GSON = new Gson();

  /** Returns the facts of an operation; the benchmark and peak are filled in by {@link #record}. */
  public static Facts of(int batch, long macs, double items, String unit) {
    return new Facts(null, Map.of(), batch, macs, items, unit, 0);
  }

  /** Appends {@code facts} for the run {@code params} with this process's peak memory. */
  public static void record(BenchmarkParams params, Facts facts) {
    String file = System.getProperty(PROPERTY);
    if (file == null) {
      return;
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String key : params.getParamsKeys()) {
      values.put(key, params.getParam(key));
    }
    Facts full =
        new Facts(
            params.getBenchmark(),
            values,
            facts.batch(),
            facts.macs(),
            facts.items(),
            facts.unit(),
            Resident.peakKib());
    try {
      Files.writeString(
          Path.of(file),
          GSON.toJson(full) + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads the facts the forks wrote to {@code file} (none when it does not exist). */
  public static List<Facts> read(Path file) {
    List<Facts> all = new ArrayList<>();
    if (!Files.exists(file)) {
      return all;
    }
    try {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          all.add(GSON.fromJson(line, Facts.class));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all;
  }
}
