package io.diffii.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The results table: one row per JMH run (benchmark and parameters) with its time per operation,
 * its multiply-adds and achieved GFLOP/s where counted, items per second and the fork's peak
 * resident memory; plus, for benchmarks run at two or more step counts (a {@code steps} parameter),
 * a row "per step" from the difference between the largest and smallest, which cancels what a run
 * costs besides its steps.
 */
public final class Table {

  /**
   * One row.
   *
   * @param benchmark the benchmark's short name ({@code Class.method} without the package)
   * @param params its parameters as {@code name=value} words
   * @param batch the batch of one operation
   * @param millis milliseconds per operation
   * @param error the 99.9 % confidence half-width JMH reports (NaN with one iteration)
   * @param macs multiply-adds of one operation (0: not counted)
   * @param items items one operation produces
   * @param unit what the items are
   * @param peakKib the fork's peak resident memory (0: unknown)
   */
  public record Row(
      String benchmark,
      String params,
      int batch,
      double millis,
      double error,
      long macs,
      double items,
      String unit,
      long peakKib) {

    /** Returns the achieved GFLOP/s (two FLOPs a multiply-add), NaN when not counted. */
    public double gflopsPerSecond() {
      return macs == 0 ? Double.NaN : 2.0 * macs / (millis / 1e3) / 1e9;
    }

    /** Returns items per second. */
    public double itemsPerSecond() {
      return items / (millis / 1e3);
    }
  }

  /** A measured run: JMH's benchmark name, parameters and score, with the fork's facts. */
  public record Run(String benchmark, Map<String, String> params, double millis, double error) {}

  private final List<Row> rows;

  private Table(List<Row> rows) {
    this.rows = List.copyOf(rows);
  }

  /** Builds the table of {@code runs}, matching each to its facts by benchmark and parameters. */
  public static Table of(List<Run> runs, List<Facts> facts) {
    List<Row> rows = new ArrayList<>();
    for (Run run : runs) {
      Facts f =
          facts.stream()
              .filter(x -> x.benchmark().equals(run.benchmark()) && x.params().equals(run.params()))
              .reduce((a, b) -> b)
              .orElse(Facts.of(0, 0, 0, ""));
      rows.add(
          new Row(
              shortName(run.benchmark()),
              words(run.params()),
              f.batch(),
              run.millis(),
              run.error(),
              f.macs(),
              f.items(),
              f.unit(),
              f.peakKib()));
    }
    rows.addAll(perStep(runs, rows));
    return new Table(rows);
  }

  /** The per-step rows of benchmarks measured at several step counts. */
  private static List<Row> perStep(List<Run> runs, List<Row> rows) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < runs.size(); i++) {
      Map<String, String> p = runs.get(i).params();
      if (p.containsKey("steps")) {
        Map<String, String> rest = new LinkedHashMap<>(p);
        rest.remove("steps");
        groups.computeIfAbsent(runs.get(i).benchmark() + " " + rest, k -> new ArrayList<>()).add(i);
      }
    }
    List<Row> out = new ArrayList<>();
    for (List<Integer> group : groups.values()) {
      Comparator<Integer> bySteps =
          Comparator.comparingInt(i -> Integer.parseInt(runs.get(i).params().get("steps")));
      int lo = group.stream().min(bySteps).orElseThrow();
      int hi = group.stream().max(bySteps).orElseThrow();
      int steps =
          Integer.parseInt(runs.get(hi).params().get("steps"))
              - Integer.parseInt(runs.get(lo).params().get("steps"));
      if (steps == 0) {
        continue;
      }
      Row a = rows.get(lo);
      Row b = rows.get(hi);
      Map<String, String> rest = new LinkedHashMap<>(runs.get(hi).params());
      rest.remove("steps");
      out.add(
          new Row(
              b.benchmark() + " per step",
              words(rest),
              b.batch(),
              (b.millis() - a.millis()) / steps,
              Double.NaN,
              (b.macs() - a.macs()) / steps,
              (b.items() - a.items()) / steps,
              b.unit(),
              Math.max(a.peakKib(), b.peakKib())));
    }
    return out;
  }

  /** Returns the rows. */
  public List<Row> rows() {
    return rows;
  }

  /** Returns the table as Markdown, headed by {@code heading}. */
  public String markdown(String heading) {
    StringBuilder s = new StringBuilder(heading).append("\n\n");
    s.append(
        "| benchmark | params | batch | ms/op | ± | GFLOP/op | GFLOP/s | items/s | peak RSS MiB |\n");
    s.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      s.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %.2f | %s | %s | %s | %s | %s |%n",
              r.benchmark(),
              r.params(),
              r.batch(),
              r.millis(),
              Double.isNaN(r.error()) ? "" : String.format(Locale.ROOT, "%.2f", r.error()),
              r.macs() == 0 ? "" : String.format(Locale.ROOT, "%.3f", 2.0 * r.macs() / 1e9),
              r.macs() == 0 ? "" : String.format(Locale.ROOT, "%.2f", r.gflopsPerSecond()),
              r.items() == 0
                  ? ""
                  : String.format(Locale.ROOT, "%.1f %s", r.itemsPerSecond(), r.unit()),
              r.peakKib() == 0 ? "" : String.format(Locale.ROOT, "%.0f", r.peakKib() / 1024.0)));
    }
    return s.toString();
  }

  /** Returns the table as CSV, one row per line after the header. */
  public String csv() {
    StringBuilder s =
        new StringBuilder(
            "benchmark,params,batch,ms_per_op,error_ms,gflop_per_op,gflop_per_s,items_per_s,unit,peak_kib\n");
    for (Row r : rows) {
      s.append(
          String.format(
              Locale.ROOT,
              "%s,%s,%d,%.4f,%s,%s,%s,%.3f,%s,%d%n",
              r.benchmark(),
              r.params(),
              r.batch(),
              r.millis(),
              Double.isNaN(r.error()) ? "" : String.format(Locale.ROOT, "%.4f", r.error()),
              r.macs() == 0 ? "" : String.format(Locale.ROOT, "%.6f", 2.0 * r.macs() / 1e9),
              r.macs() == 0 ? "" : String.format(Locale.ROOT, "%.3f", r.gflopsPerSecond()),
              r.itemsPerSecond(),
              r.unit(),
              r.peakKib()));
    }
    return s.toString();
  }

  private static String shortName(String benchmark) {
    String[] parts = benchmark.split("\\.");
    return parts.length < 2 ? benchmark : parts[parts.length - 2] + "." + parts[parts.length - 1];
  }

  private static String words(Map<String, String> params) {
    return params.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(" "));
  }
}
