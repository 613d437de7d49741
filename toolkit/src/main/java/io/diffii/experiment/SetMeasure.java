package io.diffii.experiment;

import io.diffii.augment.SyntheticSet;
import java.util.function.ToDoubleFunction;

/**
 * A number measured on a synthetic set itself, not on a classifier trained with it: its diversity
 * (mean pairwise LPIPS within a class) or its faithfulness (CLIP score against the class prompts),
 * the columns Table 4 and Figure 7 report beside accuracy.
 *
 * @param name the column's name in tables and CSV files ("diversity")
 * @param description what the number is, for captions ("100 × mean pairwise LPIPS …")
 * @param measure computes it from a set
 */
public record SetMeasure(String name, String description, ToDoubleFunction<SyntheticSet> measure) {

  /** Returns the measure of {@code set}. */
  public double of(SyntheticSet set) {
    return measure.applyAsDouble(set);
  }
}
