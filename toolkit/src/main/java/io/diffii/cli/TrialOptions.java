package io.diffii.cli;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options every table command shares (a picocli mixin): the seed of trial 0, how many test
 * scenes are scored, and how long concept learning runs.
 */
final class TrialOptions {

  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Seed of trial 0 (trial t uses seed + t): shots or split, Diff-II, fine-tuning.")
  long seed;

  @Option(
      names = "--test-limit",
      paramLabel = "N",
      description = "Test scenes scored (default: all 10,000).")
  Integer testLimit;

  @Option(
      names = "--concept-steps",
      paramLabel = "N",
      defaultValue = "600",
      description = "Concept-learning steps per trial.")
  int conceptSteps;

  /** Rejects the values picocli cannot: a non-positive test limit or step count. */
  void check(CommandSpec spec) {
    Main.requirePositive(spec, "--concept-steps", List.of(conceptSteps));
    if (testLimit != null) {
      Main.requirePositive(spec, "--test-limit", List.of(testLimit));
    }
  }

  /** The number of test scenes to score: the limit, or every scene without one. */
  int scored() {
    return testLimit == null ? Integer.MAX_VALUE : testLimit;
  }
}
