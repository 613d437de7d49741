package io.diffii.cli;

import io.diffii.augment.Interpolation;
import io.diffii.classify.Backbone;
import io.diffii.classify.FineTune;
import io.diffii.embedded.Embedded;
import io.diffii.experiment.Method;
import io.diffii.experiment.Result;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code diffii few-shot [--shots 5,10] [--backbones resnet,vit] [--trials 3] [--out runs/few-shot]
 * [--concept-steps 600] [--methods original,diff-ii] [--seed 0] [--epochs 128] [--test-limit N]}
 * and the ablation switches {@code [--interpolation circle|spherical|extrapolation|linear|noise]
 * [--two-stage on|off] [--concepts on|off]}: Table 1 on the embedded benchmark (Table 4's rows
 * with the switches), resuming the rows an earlier run into the same output folder measured with
 * the same settings; prints the table and the paths of the CSV, chart and image grids.
 */
final class FewShotCommand {

  private FewShotCommand() {}

  static int run(Options options) {
    int[] shots = Arrays.stream(options.string("shots", "5").split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
    Backbone[] backbones = Arrays.stream(options.string("backbones", "resnet").split(",")).map(Backbone::of).toArray(Backbone[]::new);
    Method[] methods = Arrays.stream(options.string("methods", "original,diff-ii").split(",")).map(Method::of).toArray(Method[]::new);
    int conceptSteps = options.integer("concept-steps", 600);
    int epochs = options.integer("epochs", 128);
    Interpolation interpolation =
        Interpolation.valueOf(options.string("interpolation", "circle").toUpperCase(Locale.ROOT));
    boolean twoStage = onOff(options, "two-stage");
    boolean concepts = onOff(options, "concepts");
    java.nio.file.Path out = options.path("out", "runs/few-shot");
    Result r =
        Embedded.fewShot()
            .shots(shots)
            .backbones(backbones)
            .methods(methods)
            .trials(options.integer("trials", 1))
            .seed(options.longValue("seed", 0))
            .testLimit(options.integer("test-limit", Integer.MAX_VALUE))
            .recipe(b -> FineTune.fewShotRecipe(b).withEpochs(epochs))
            .out(out)
            .diffII(d -> d.withConcept(d.concept().withSteps(conceptSteps).withEnabled(concepts))
                .withInversion(d.inversion().withInterpolation(interpolation))
                .withSampling(d.sampling().withTwoStage(twoStage)))
            .run();
    System.out.println(r);
    System.out.println(r.stages().printAll());
    System.out.println("files: " + r.write(out, "few-shot"));
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
