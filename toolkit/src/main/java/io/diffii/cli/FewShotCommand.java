package io.diffii.cli;

import io.diffii.experiment.FewShotExperiment;
import java.util.Arrays;

/**
 * {@code diffii few-shot [--shots 5,10] [--backbones resnet,vit] [--trials 3] [--out runs/few-shot]
 * [--concept-steps 600]}: Table 1 on the embedded benchmark, resuming what an earlier run with the
 * same output folder finished; prints the table and the paths of the CSV, chart and image grids.
 */
final class FewShotCommand {

  private FewShotCommand() {}

  static int run(Options options) {
    int[] shots = Arrays.stream(options.string("shots", "5").split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
    String[] backbones = Arrays.stream(options.string("backbones", "resnet").split(",")).map(String::strip).toArray(String[]::new);
    int conceptSteps = options.integer("concept-steps", 600);
    FewShotExperiment.Result r =
        FewShotExperiment.embedded()
            .shots(shots)
            .backbones(backbones)
            .trials(options.integer("trials", 1))
            .out(options.path("out", "runs/few-shot"))
            .diffII(d -> d.learner(l -> l.steps(conceptSteps)))
            .run();
    System.out.println(r);
    System.out.println(r.stages().printAll());
    return 0;
  }
}
