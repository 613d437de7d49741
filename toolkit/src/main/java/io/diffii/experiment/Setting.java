package io.diffii.experiment;

import io.diffii.augment.BaselineSettings;
import io.diffii.augment.DiffIISettings;
import io.diffii.data.Split;
import java.util.function.LongFunction;
import java.util.function.UnaryOperator;

/**
 * One column group of a table: how its split is drawn from a trial's seed, and how it adjusts the
 * Diff-II settings (5-shot and 10-shot differ in the split ratio, long-tail in class balancing) and
 * the generative baselines' (Diff-Mix's label confidence is 1.0 for long-tail).
 *
 * @param label names the setting in tables and folders ("5-shot")
 * @param split the split of a trial's seed
 * @param diffII adjusts the benchmark's Diff-II settings for this setting
 * @param baseline adjusts the baselines' settings derived from those
 */
public record Setting(
    String label,
    LongFunction<Split> split,
    UnaryOperator<DiffIISettings> diffII,
    UnaryOperator<BaselineSettings> baseline) {

  /** A setting that keeps the baselines' settings as derived from Diff-II's. */
  public Setting(String label, LongFunction<Split> split, UnaryOperator<DiffIISettings> diffII) {
    this(label, split, diffII, UnaryOperator.identity());
  }
}
