package io.diffii.cli;

import io.diffii.augment.DiffII;
import io.diffii.experiment.FewShotExperiment;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code diffii few-shot [--shots 5,10] [--backbones resnet,vit] [--trials 3] [--out runs/few-shot]
 * [--concept-steps 600] [--methods original,diff-ii]} and the ablation switches {@code
 * [--interpolation circle|spherical|extrapolation|linear|noise] [--two-stage on|off] [--concepts
 * on|off]}: Table 1 on the embedded benchmark (Table 4's rows with the switches), resuming what an
 * earlier run with the same output folder finished; prints the table and the paths of the CSV,
 * chart and image grids.
 */
final class FewShotCommand {

  private FewShotCommand() {}

  static int run(Options options) {
    int[] shots = Arrays.stream(options.string("shots", "5").split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
    String[] backbones = Arrays.stream(options.string("backbones", "resnet").split(",")).map(String::strip).toArray(String[]::new);
    FewShotExperiment.Method[] methods =
        Arrays.stream(options.string("methods", "original,diff-ii").split(","))
            .map(m -> switch (m.strip().toLowerCase(Locale.ROOT)) {
              case "original" -> FewShotExperiment.Method.ORIGINAL;
              case "diff-ii" -> FewShotExperiment.Method.DIFF_II;
              default -> throw new IllegalArgumentException("--methods takes original and diff-ii, not " + m);
            })
            .toArray(FewShotExperiment.Method[]::new);
    int conceptSteps = options.integer("concept-steps", 600);
    DiffII.Interpolation interpolation =
        DiffII.Interpolation.valueOf(options.string("interpolation", "circle").toUpperCase(Locale.ROOT));
    boolean twoStage = onOff(options, "two-stage");
    boolean concepts = onOff(options, "concepts");
    FewShotExperiment.Result r =
        FewShotExperiment.embedded()
            .shots(shots)
            .backbones(backbones)
            .methods(methods)
            .trials(options.integer("trials", 1))
            .out(options.path("out", "runs/few-shot"))
            .diffII(d -> d.learner(l -> l.steps(conceptSteps)).interpolation(interpolation).twoStage(twoStage).concepts(concepts))
            .run();
    System.out.println(r);
    System.out.println(r.stages().printAll());
    return 0;
  }

  private static boolean onOff(Options options, String name) {
    String v = options.string(name, "on");
    if (!v.equals("on") && !v.equals("off")) {
      throw new IllegalArgumentException("--" + name + " takes on or off, not " + v);
    }
    return v.equals("on");
  }
}
