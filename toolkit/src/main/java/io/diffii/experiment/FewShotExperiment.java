package io.diffii.experiment;

import io.diffii.augment.DiffIISettings;
import io.diffii.classify.Backbone;
import io.diffii.classify.FineTune;
import io.diffii.classify.TrainConfig;
import io.diffii.data.Split;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Table 1: few-shot classification (k images per class), a pretrained backbone fine-tuned on the
 * real shots alone (Original) or with Diff-II's synthetic images mixed in by the replacement
 * probability, over several trials. The benchmark and its few-shot splits are inputs:
 *
 * <pre>{@code
 * Result r = Embedded.fewShot().shots(5, 10).backbones(Backbone.RESNET, Backbone.VIT).trials(3).run();
 * r.summary();   // backbone × shots × method: mean ± std, gain over Original
 * }</pre>
 *
 * Diff-II's split ratio is the paper's: 0.3 up to 5 shots, 0.1 above. Rows, resumption and folders
 * are {@link Experiment}'s; trial {@code t} runs on seed {@code seed + t}.
 */
public final class FewShotExperiment {

  /**
   * The few-shot splits of a benchmark: {@code shots} training images per class, drawn by {@code
   * seed}.
   */
  @FunctionalInterface
  public interface Splits {
    /** Returns the split of {@code shots} images per class drawn by {@code seed}. */
    Split of(int shots, long seed);
  }

  private final Benchmark benchmark;
  private final Splits splits;
  private int[] shots = {5};
  private List<Backbone> backbones = List.of(Backbone.RESNET);
  private int trials = 1;
  private long seed;
  private List<Method> methods = List.of(Method.ORIGINAL, Method.DIFF_II);
  private Path out = Path.of("runs/few-shot");
  private UnaryOperator<DiffIISettings> diffII = UnaryOperator.identity();
  private Function<Backbone, TrainConfig> recipe = FineTune::fewShotRecipe;
  private int testLimit = Integer.MAX_VALUE;

  private FewShotExperiment(Benchmark benchmark, Splits splits) {
    this.benchmark = benchmark;
    this.splits = splits;
  }

  /** Starts a few-shot experiment on {@code benchmark} with its {@code splits}. */
  public static FewShotExperiment on(Benchmark benchmark, Splits splits) {
    return new FewShotExperiment(benchmark, splits);
  }

  /** Sets the shots per class to run (default 5). */
  public FewShotExperiment shots(int... k) {
    this.shots = k.clone();
    return this;
  }

  /** Sets the backbones (default ResNet). */
  public FewShotExperiment backbones(Backbone... b) {
    this.backbones = List.of(b);
    return this;
  }

  /** Sets the number of trials (default 1; the paper averages 3). */
  public FewShotExperiment trials(int n) {
    this.trials = n;
    return this;
  }

  /** Sets the first trial's seed (default 0): it draws the shots, Diff-II and fine-tuning. */
  public FewShotExperiment seed(long s) {
    this.seed = s;
    return this;
  }

  /** Sets the methods (default Original and Diff-II). */
  public FewShotExperiment methods(Method... m) {
    this.methods = List.of(m);
    return this;
  }

  /** Sets the output folder (default runs/few-shot). */
  public FewShotExperiment out(Path dir) {
    this.out = dir;
    return this;
  }

  /**
   * Adjusts the Diff-II settings after the benchmark's and the split ratio are applied (e.g. fewer
   * concept steps).
   */
  public FewShotExperiment diffII(UnaryOperator<DiffIISettings> change) {
    this.diffII = change;
    return this;
  }

  /** Sets the fine-tuning recipe per backbone (default {@link FineTune#fewShotRecipe}). */
  public FewShotExperiment recipe(Function<Backbone, TrainConfig> r) {
    this.recipe = r;
    return this;
  }

  /** Scores the first {@code n} test images only (default all). */
  public FewShotExperiment testLimit(int n) {
    this.testLimit = n;
    return this;
  }

  /** Returns the plan these choices make. */
  public Plan plan() {
    List<Setting> settings = new ArrayList<>();
    for (int k : Arrays.stream(shots).distinct().toArray()) {
      settings.add(new Setting(k + "-shot", seed -> splits.of(k, seed), splitRatio(k)));
    }
    return new Plan(
        "few-shot", settings, trials, seed, backbones, methods, recipe, testLimit, diffII);
  }

  /** Sets the paper's split ratio of {@code shots}-shot Diff-II: 0.3 up to 5 shots, 0.1 above. */
  static UnaryOperator<DiffIISettings> splitRatio(int shots) {
    double s = shots <= 5 ? 0.3 : 0.1;
    return d -> d.withSampling(d.sampling().withSplitRatio(s));
  }

  /** Measures every row of the plan not yet in {@code <out>/rows.csv} and returns the tables. */
  public Result run() {
    return Experiment.run(benchmark, plan(), out);
  }
}
