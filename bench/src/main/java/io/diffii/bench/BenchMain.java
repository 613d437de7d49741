package io.diffii.bench;

import io.diffii.embedded.Embedded;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench [options]}: runs the JMH suite of {@code io.diffii.bench} (or the benchmarks a
 * {@code --bench} pattern selects) with one fork each and a few iterations, on a fixed number of
 * PyTorch intra-op threads, and writes into the output folder JMH's {@code jmh.json}, the forks'
 * {@code facts.jsonl} and the table ({@code results.md}, {@code results.csv}: time per operation,
 * GFLOP/s from {@link Flops}, items per second, peak resident memory), which it also prints.
 */
@Command(
    name = "bench",
    description = "Runs the JMH benchmarks of the toolkit's hot paths and writes the table.",
    sortOptions = false)
public final class BenchMain implements Callable<Integer> {

  @Option(
      names = {"-b", "--bench"},
      paramLabel = "REGEX",
      description =
          "Runs the benchmarks whose name (Class.method) matches; repeatable (default: all).")
  private List<String> patterns = new ArrayList<>();

  @Option(
      names = {"-p", "--param"},
      paramLabel = "NAME=V1,V2",
      description = "Overrides a benchmark parameter's values, e.g. batch=8,100; repeatable.")
  private Map<String, String> params = new LinkedHashMap<>();

  @Option(
      names = "--threads",
      defaultValue = "2",
      description = "PyTorch intra-op threads of every fork (default: ${DEFAULT-VALUE}).")
  private int threads;

  @Option(
      names = {"-f", "--forks"},
      defaultValue = "1",
      description = "Forked JVMs per benchmark (default: ${DEFAULT-VALUE}).")
  private int forks;

  @Option(
      names = {"-wi", "--warmup"},
      defaultValue = "2",
      description = "Warm-up iterations (default: ${DEFAULT-VALUE}).")
  private int warmup;

  @Option(
      names = {"-i", "--iterations"},
      defaultValue = "5",
      description = "Measured iterations (default: ${DEFAULT-VALUE}).")
  private int iterations;

  @Option(
      names = "--time",
      defaultValue = "2",
      description =
          "Seconds per iteration; an iteration runs at least one operation (default: ${DEFAULT-VALUE}).")
  private int seconds;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Output folder (default: runs/bench under the project folder).")
  private Path out;

  @Option(names = "--list", description = "Lists the benchmarks the patterns select, and exits.")
  private boolean list;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Shows this help and exits.")
  private boolean help;

  private BenchMain() {}

  /** Runs the command and exits with its status. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path dir = out != null ? out : Embedded.root().resolve("runs/bench");
    Files.createDirectories(dir);
    Path facts = dir.resolve("facts.jsonl");
    Files.deleteIfExists(facts);
    ChainedOptionsBuilder options =
        new OptionsBuilder()
            .forks(forks)
            .warmupIterations(warmup)
            .measurementIterations(iterations)
            .warmupTime(TimeValue.seconds(seconds))
            .measurementTime(TimeValue.seconds(seconds))
            .shouldFailOnError(true)
            .resultFormat(ResultFormatType.JSON)
            .result(dir.resolve("jmh.json").toString())
            .jvmArgsAppend(
                "-Xmx8g",
                "-Djava.awt.headless=true",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=" + threads,
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-Ddiffii.root=" + Embedded.root().toAbsolutePath(),
                "-D" + Facts.PROPERTY + "=" + facts.toAbsolutePath());
    List<String> include = patterns.isEmpty() ? List.of(".*") : patterns;
    include.forEach(p -> options.include(BenchMain.class.getPackageName() + "\\..*" + p));
    params.forEach((name, values) -> options.param(name, values.split(",")));
    Runner runner = new Runner(options.build());
    if (list) {
      runner.list();
      return 0;
    }
    Collection<RunResult> results = runner.run();
    List<Table.Run> runs = new ArrayList<>();
    for (RunResult r : results) {
      Map<String, String> p = new LinkedHashMap<>();
      for (String key : r.getParams().getParamsKeys()) {
        p.put(key, r.getParams().getParam(key));
      }
      runs.add(
          new Table.Run(
              r.getParams().getBenchmark(),
              p,
              r.getPrimaryResult().getScore(),
              r.getPrimaryResult().getScoreError()));
    }
    Table table = Table.of(runs, Facts.read(facts));
    String heading =
        String.format(
            "Benchmarks (%d PyTorch intra-op thread%s, %d fork, %d × %d s warm-up, %d × %d s measured)",
            threads, threads == 1 ? "" : "s", forks, warmup, seconds, iterations, seconds);
    String markdown = table.markdown(heading);
    Files.writeString(dir.resolve("results.md"), markdown);
    Files.writeString(dir.resolve("results.csv"), table.csv());
    System.out.println(markdown);
    System.out.println("written to " + dir.toAbsolutePath());
    return 0;
  }
}
