package io.diffii.experiment;

import io.diffii.augment.DiffIISettings;
import io.diffii.classify.Backbone;
import io.diffii.classify.TrainConfig;
import io.diffii.data.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What an experiment measures: every (setting, trial, backbone, method) row. Trial {@code t} uses
 * seed {@code seed + t} for everything random in it: the split, Diff-II's concepts and draws, and
 * fine-tuning.
 *
 * @param name names the experiment's files and tables ("few-shot")
 * @param settings the settings, in table order
 * @param trials trials per setting
 * @param seed the first trial's seed
 * @param backbones the backbones fine-tuned
 * @param methods the methods compared
 * @param recipe the fine-tuning recipe of a backbone (its seed is replaced by the trial's)
 * @param testLimit the number of test images scored (the first ones of the split)
 * @param diffII adjusts the Diff-II settings after the benchmark's and the setting's
 * @param testGroup the group of a test sample whose accuracy each row also reports ({@link
 *     Experiment#GROUPS}), or null for none; a plan with groups marks its rows' settings, so it
 *     never reuses a row measured without them
 */
public record Plan(
    String name,
    List<Setting> settings,
    int trials,
    long seed,
    List<Backbone> backbones,
    List<Method> methods,
    Function<Backbone, TrainConfig> recipe,
    int testLimit,
    UnaryOperator<DiffIISettings> diffII,
    Function<Sample, String> testGroup) {

  /**
   * One measurement of the plan.
   *
   * @param setting its setting
   * @param trial its trial
   * @param seed the trial's seed
   * @param backbone the backbone fine-tuned
   * @param method how it is trained
   */
  public record Row(Setting setting, int trial, long seed, Backbone backbone, Method method) {}

  /** A plan that reports no group accuracy. */
  public Plan(
      String name,
      List<Setting> settings,
      int trials,
      long seed,
      List<Backbone> backbones,
      List<Method> methods,
      Function<Backbone, TrainConfig> recipe,
      int testLimit,
      UnaryOperator<DiffIISettings> diffII) {
    this(name, settings, trials, seed, backbones, methods, recipe, testLimit, diffII, null);
  }

  /** Checks that the plan measures something, and copies the lists. */
  public Plan {
    if (settings.isEmpty()
        || trials < 1
        || backbones.isEmpty()
        || methods.isEmpty()
        || testLimit < 1) {
      throw new IllegalArgumentException(
          "an experiment needs settings, trials >= 1, backbones, methods and a test limit >= 1");
    }
    settings = List.copyOf(settings);
    backbones = List.copyOf(backbones);
    methods = List.copyOf(methods);
  }

  /** Returns every row, setting by setting, trial by trial, backbone by backbone. */
  public List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (Setting s : settings) {
      for (int t = 0; t < trials; t++) {
        for (Backbone b : backbones) {
          for (Method m : methods) {
            rows.add(new Row(s, t, seed + t, b, m));
          }
        }
      }
    }
    return rows;
  }
}
