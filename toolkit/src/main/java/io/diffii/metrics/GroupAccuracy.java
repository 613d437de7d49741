package io.diffii.metrics;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Accuracy per group of a test set, as the robustness literature reports it (Waterbirds' four
 * (habitat, background) groups): each group's accuracy, their unweighted mean ({@link #average()},
 * so a small group counts as much as a large one) and the lowest ({@link #worst()}, worst-group
 * accuracy). Accuracies are fractions in [0, 1].
 *
 * @param counts the number of test samples of each group, by group name
 * @param accuracy each group's accuracy, by group name (same keys as {@code counts})
 */
public record GroupAccuracy(Map<String, Integer> counts, Map<String, Double> accuracy) {

  /** Checks that both maps name the same non-empty groups, and sorts them by name. */
  public GroupAccuracy {
    if (counts.isEmpty() || !counts.keySet().equals(accuracy.keySet())) {
      throw new IllegalArgumentException(
          "group accuracy needs the same non-empty groups in counts "
              + counts.keySet()
              + " and accuracy "
              + accuracy.keySet());
    }
    counts = Collections.unmodifiableMap(new TreeMap<>(counts));
    accuracy = Collections.unmodifiableMap(new TreeMap<>(accuracy));
  }

  /**
   * Returns the accuracy of {@code predictions} against {@code labels} within each group, sample
   * {@code i} belonging to group {@code groups.get(i)}.
   */
  public static GroupAccuracy of(int[] labels, int[] predictions, List<String> groups) {
    if (labels.length != predictions.length || labels.length != groups.size()) {
      throw new IllegalArgumentException(
          "need one prediction and one group per label: "
              + labels.length
              + " labels, "
              + predictions.length
              + " predictions, "
              + groups.size()
              + " groups");
    }
    Map<String, Integer> counts = new TreeMap<>();
    Map<String, Integer> right = new TreeMap<>();
    for (int i = 0; i < labels.length; i++) {
      counts.merge(groups.get(i), 1, Integer::sum);
      right.merge(groups.get(i), labels[i] == predictions[i] ? 1 : 0, Integer::sum);
    }
    Map<String, Double> accuracy = new TreeMap<>();
    counts.forEach((g, n) -> accuracy.put(g, (double) right.get(g) / n));
    return new GroupAccuracy(counts, accuracy);
  }

  /** Returns the mean of the groups' accuracies, each group weighted equally. */
  public double average() {
    return accuracy.values().stream().mapToDouble(Double::doubleValue).average().orElseThrow();
  }

  /** Returns the lowest group accuracy (worst-group accuracy). */
  public double worst() {
    return accuracy.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
  }

  /** Returns the name of the group with the lowest accuracy (the first by name on a tie). */
  public String worstGroup() {
    return accuracy.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }
}
