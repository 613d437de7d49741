package io.diffii;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The package graph of the toolkit reads top-down: no cycles between the {@code io.diffii.*}
 * packages, and each package depends only on the floors below its own (plus the few same-floor
 * edges listed), as the compiled classes show.
 */
@AnalyzeClasses(packages = "io.diffii", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageGraphTest {

  /**
   * The floors, lowest first. Floor 1 holds file formats, data, pure math and the display values
   * (image grids, charts) that results carry; floor 5 the Diff-II stages, classifiers and metrics;
   * floor 7 the embedded benchmark and the command line.
   */
  private static final List<List<String>> FLOORS =
      List.of(
          List.of("io", "data", "schedule", "interpolate", "notebook"),
          List.of("nn", "train"),
          List.of("model"),
          List.of("pipeline"),
          List.of("concept", "invert", "augment", "classify", "metrics"),
          List.of("experiment"),
          List.of("embedded", "cli"));

  /** The only imports allowed between packages of one floor (acyclic by construction). */
  private static final Map<String, List<String>> SAME_FLOOR =
      Map.of(
          "augment", List.of("concept", "invert", "metrics"),
          "metrics", List.of("classify"),
          "train", List.of("nn"),
          "cli", List.of("embedded"));

  @ArchTest
  static final ArchRule noCycleBetweenPackages =
      slices().matching("io.diffii.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule everyPackageHasAFloor =
      classes()
          .should()
          .resideInAnyPackage(
              FLOORS.stream()
                  .flatMap(List::stream)
                  .map(p -> "io.diffii." + p + "..")
                  .toArray(String[]::new))
          .as("every io.diffii package is on a floor of PackageGraphTest");

  @ArchTest static final ArchRule eachFloorImportsOnlyTheFloorsBelow = floors();

  private static LayeredArchitecture floors() {
    // Optional: a floor's package may not exist yet (metrics).
    LayeredArchitecture graph =
        layeredArchitecture().consideringOnlyDependenciesInLayers().withOptionalLayers(true);
    for (List<String> floor : FLOORS) {
      for (String p : floor) {
        graph = graph.layer(p).definedBy("io.diffii." + p + "..");
      }
    }
    List<String> below = new ArrayList<>();
    for (List<String> floor : FLOORS) {
      for (String p : floor) {
        List<String> allowed = new ArrayList<>(below);
        allowed.addAll(SAME_FLOOR.getOrDefault(p, List.of()));
        graph =
            allowed.isEmpty()
                ? graph.whereLayer(p).mayNotAccessAnyLayer()
                : graph.whereLayer(p).mayOnlyAccessLayers(allowed.toArray(String[]::new));
      }
      below.addAll(floor);
    }
    return graph;
  }
}
