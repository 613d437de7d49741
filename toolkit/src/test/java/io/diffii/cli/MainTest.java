package io.diffii.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.diffii.augment.Interpolation;
import io.diffii.classify.Backbone;
import io.diffii.data.FashionMnist;
import io.diffii.data.LongTail;
import io.diffii.embedded.Embedded;
import io.diffii.experiment.Method;
import io.diffii.nn.Compute;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line's parsing and error handling, with stub jobs: no model or data is loaded. */
class MainTest {

  /** What one run of the command line printed and returned. */
  private record Outcome(int status, String out, String err) {}

  /** The commands whose (stub) job ran, in order. */
  private final List<Object> ran = new ArrayList<>();

  private Outcome run(String... args) {
    return run(
        Main.commandLine(
            new MainJob(this::record),
            new FewShotCommand(this::record),
            new AblationCommand(this::record),
            new PretrainCommand(this::record),
            new LongTailCommand(this::record),
            new OodCommand(this::record)),
        args);
  }

  private static Outcome run(CommandLine cl, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int status = cl.execute(args);
    return new Outcome(status, out.toString(), err.toString());
  }

  private int record(Object command) {
    ran.add(command);
    return 0;
  }

  @Test
  void helpOfEveryCommandListsItsOptionsWithDefaults() {
    assertHelp(run("--help"), "main", "few-shot", "pretrain", "help");
    assertHelp(
        run("main", "--help"),
        "--out=DIR",
        "Default: out/main",
        "--seed=N",
        "Default: 0",
        "--shots=K",
        "Default: 5",
        "--backbone=NAME",
        "resnet or vit",
        "Default: resnet",
        "--frames=N",
        "Default: 12");
    assertHelp(
        run("few-shot", "--help"),
        "--shots=K[,K...]",
        "--backbones=NAME[,NAME...]",
        "--methods=METHOD[,METHOD...]",
        "Default: original,diff-ii",
        "--trials=N",
        "Default: 1",
        "Default: runs/few-shot",
        "--concept-steps=N",
        "Default: 600",
        "--interpolation=MODE",
        "Default: circle",
        "--two-stage=on|off",
        "--concepts=on|off",
        "Default: on");
    assertHelp(
        run("pretrain", "--help"),
        "--work=DIR",
        "Default: runs/pretrain",
        "--out=DIR",
        "Default: data/models",
        "--skip-evaluation");
    assertHelp(run("help", "few-shot"), "--interpolation=MODE");
    assertTrue(ran.isEmpty(), "help runs no job");
  }

  private static void assertHelp(Outcome o, String... expected) {
    assertEquals(0, o.status(), o.err());
    assertEquals("", o.err());
    for (String s : expected) {
      assertTrue(o.out().contains(s), s + " missing from\n" + o.out());
    }
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    assertEquals(0, run("main").status());
    MainJob main = (MainJob) ran.get(0);
    assertEquals(Path.of("out/main"), main.out);
    assertEquals(0, main.seed);
    assertEquals(5, main.shots);
    assertEquals(Backbone.RESNET, main.backbone);
    assertEquals(12, main.frames);

    assertEquals(0, run("few-shot").status());
    FewShotCommand fewShot = (FewShotCommand) ran.get(1);
    assertEquals(List.of(5), fewShot.shots);
    assertEquals(List.of(Backbone.RESNET), fewShot.backbones);
    assertEquals(List.of(Method.ORIGINAL, Method.DIFF_II), fewShot.methods);
    assertEquals(1, fewShot.trials);
    assertEquals(Path.of("runs/few-shot"), fewShot.out);
    assertEquals(600, fewShot.trial.conceptSteps);
    assertEquals(Interpolation.CIRCLE, fewShot.interpolation);
    assertEquals(OnOff.ON, fewShot.twoStage);
    assertEquals(OnOff.ON, fewShot.concepts);
    assertEquals(0, fewShot.trial.seed);
    assertEquals(128, fewShot.epochs);
    assertNull(fewShot.trial.testLimit);
    assertEquals(Embedded.Captioning.CLASSIFIER, fewShot.captioner);

    assertEquals(0, run("pretrain").status());
    PretrainCommand pretrain = (PretrainCommand) ran.get(2);
    assertEquals(Path.of("runs/pretrain"), pretrain.work);
    assertEquals(Path.of("data/models"), pretrain.models);
    assertFalse(pretrain.skipEvaluation);
  }

  @Test
  void theReadmeCommandsParseToTypedValues() {
    Outcome o =
        run(
            "few-shot",
            "--shots",
            "5,10",
            "--trials",
            "3",
            "--backbones",
            "resnet,vit",
            "--methods",
            "diff-ii",
            "--interpolation",
            "linear",
            "--two-stage",
            "off",
            "--concepts",
            "off",
            "--out",
            "runs/ablation/x",
            "--concept-steps",
            "60",
            "--seed",
            "3",
            "--epochs",
            "16",
            "--test-limit",
            "500");
    assertEquals(0, o.status(), o.err());
    FewShotCommand c = (FewShotCommand) ran.get(0);
    assertEquals(List.of(5, 10), c.shots);
    assertEquals(3, c.trials);
    assertEquals(List.of(Backbone.RESNET, Backbone.VIT), c.backbones);
    assertEquals(List.of(Method.DIFF_II), c.methods);
    assertEquals(Interpolation.LINEAR, c.interpolation);
    assertFalse(c.twoStage.on());
    assertFalse(c.concepts.on());
    assertEquals(Path.of("runs/ablation/x"), c.out);
    assertEquals(60, c.trial.conceptSteps);
    assertEquals(List.of(3L, 16, 500), List.of(c.trial.seed, c.epochs, c.trial.testLimit));

    assertEquals(
        0, run("main", "--out", "o", "--seed", "7", "--shots", "10", "--backbone", "vit").status());
    MainJob m = (MainJob) ran.get(1);
    assertEquals(
        List.of(Path.of("o"), 7L, 10, Backbone.VIT), List.of(m.out, m.seed, m.shots, m.backbone));

    assertEquals(0, run("pretrain", "--work", "w", "--out", "m", "--skip-evaluation").status());
    PretrainCommand p = (PretrainCommand) ran.get(2);
    assertEquals(
        List.of(Path.of("w"), Path.of("m"), true), List.of(p.work, p.models, p.skipEvaluation));
  }

  @Test
  void theLongTailCommandParsesTheTableCommandAndItsDefaults() {
    assertEquals(0, run("long-tail").status());
    LongTailCommand d = (LongTailCommand) ran.get(0);
    assertEquals(List.of(100.0, 20.0, 10.0), d.factors);
    assertEquals(LongTail.Form.MAX, d.form);
    assertEquals(50, d.size);
    assertEquals(
        List.of(
            Method.ORIGINAL,
            Method.CMO,
            Method.CMO_DRW,
            Method.REAL_GEN,
            Method.REAL_MIX,
            Method.DIFF_MIX,
            Method.DIFF_II),
        d.methods);
    assertEquals(List.of(1, 64, 600), List.of(d.trials, d.epochs, d.trial.conceptSteps));
    assertEquals(Path.of("runs/long-tail"), d.out);
    Outcome o =
        run(
            "long-tail",
            "--if",
            "100,20",
            "--form",
            "mean",
            "--size",
            "30",
            "--methods",
            "original,cmo-drw,diff-ii",
            "--trials",
            "3",
            "--epochs",
            "8",
            "--test-limit",
            "300");
    assertEquals(0, o.status(), o.err());
    LongTailCommand c = (LongTailCommand) ran.get(1);
    assertEquals(List.of(100.0, 20.0), c.factors);
    assertEquals(LongTail.Form.MEAN, c.form);
    assertEquals(List.of(Method.ORIGINAL, Method.CMO_DRW, Method.DIFF_II), c.methods);
    assertEquals(List.of(30, 3, 8, 300), List.of(c.size, c.trials, c.epochs, c.trial.testLimit));
    assertUsageError(run("long-tail", "--if", "100,0.5"), "'--if': 0.5 is not at least 1");
    assertUsageError(run("long-tail", "--form", "cifar"), "expected one of max, mean");
    assertHelp(run("long-tail", "--help"), "--if=F[,F...]", "Default: 100,20,10", "--form=FORM");
  }

  @Test
  void theOodCommandParsesTheTableCommandAndItsDefaults() {
    assertEquals(0, run("ood").status());
    OodCommand d = (OodCommand) ran.get(0);
    assertEquals(
        List.of(
            Method.ORIGINAL,
            Method.REAL_FILTER,
            Method.REAL_GUIDANCE,
            Method.REAL_MIX,
            Method.DA_FUSION,
            Method.DIFF_AUG,
            Method.DIFF_MIX,
            Method.DIFF_II),
        d.methods);
    assertEquals(1.0, d.correlation);
    assertEquals(List.of(), d.sweep);
    assertEquals(
        List.of(5, 3, 128, 600), List.of(d.shots, d.trials, d.epochs, d.trial.conceptSteps));
    assertEquals(Backbone.RESNET, d.backbone);
    assertNull(d.trial.testLimit);
    assertEquals(Path.of("runs/ood"), d.out);
    Outcome o =
        run(
            "ood",
            "--trials",
            "1",
            "--sweep",
            "0.9,0.8",
            "--methods",
            "original,diff-ii",
            "--out",
            "runs/ood-x",
            "--test-limit",
            "400");
    assertEquals(0, o.status(), o.err());
    OodCommand c = (OodCommand) ran.get(1);
    assertEquals(List.of(0.9, 0.8), c.sweep);
    assertEquals(List.of(Method.ORIGINAL, Method.DIFF_II), c.methods);
    assertEquals(List.of(1, 400), List.of(c.trials, c.trial.testLimit));
    assertEquals(Path.of("runs/ood-x"), c.out);
    assertUsageError(
        run("ood", "--sweep", "0.9,1.5"),
        "diffii ood: Invalid value for option '--sweep': 1.5 is not in [0, 1]");
    assertUsageError(
        run("ood", "--correlation", "-0.1"),
        "diffii ood: Invalid value for option '--correlation': -0.1 is not in [0, 1]");
    assertUsageError(run("ood", "--trials", "0"), "'--trials': 0 is not at least 1");
    assertHelp(
        run("ood", "--help"),
        "--sweep=C[,C...]",
        "--methods=METHOD[,METHOD...]",
        "Default: runs/ood");
    assertEquals(2, ran.size(), "the job did not run on a bad value");
  }

  @Test
  void anUnknownOptionIsRejectedByName() {
    Outcome o = run("few-shot", "--shot", "5");
    assertUsageError(o, "diffii few-shot: Unknown options: '--shot'");
    assertTrue(o.err().contains("Did you mean --shots?"), o.err());
    assertUsageError(run("bogus"), "diffii: Unmatched argument at index 0: 'bogus'");
    assertUsageError(run(), "diffii: missing command");
  }

  @Test
  void aBadValueIsRejectedInOneLine() {
    assertUsageError(run("few-shot", "--shots", "x"), "'--shots' (K): 'x' is not an int");
    assertUsageError(run("main", "--backbone", "foo"), "expected one of resnet, vit but was 'foo'");
    assertUsageError(run("few-shot", "--backbones", "resnet,foo"), "expected one of resnet, vit");
    assertUsageError(
        run("few-shot", "--methods", "diff"),
        "expected one of original, mixup, cutmix, cmo, cmo-drw, real-gen");
    assertUsageError(run("few-shot", "--captioner", "blip"), "expected one of classifier, oracle");
    assertUsageError(
        run("few-shot", "--interpolation", "cubic"), "circle, spherical, extrapolation");
    assertUsageError(run("few-shot", "--two-stage", "maybe"), "expected one of on, off");
    assertUsageError(run("few-shot", "--trials", "0"), "'--trials': 0 is not at least 1");
    assertUsageError(run("few-shot", "--shots", "5,-1"), "'--shots': -1 is not at least 1");
    assertUsageError(run("main", "--seed", "1.5"), "'--seed': '1.5' is not a long");
    assertTrue(ran.isEmpty(), "no job runs on a bad command line");
  }

  @Test
  void theDeviceOptionIsTakenByEveryCommandAndChecked() {
    Device before = Compute.device();
    try {
      assertEquals(0, run("few-shot", "--device", "cpu").status());
      assertEquals(0, run("--device", "cpu", "ood").status());
      assertEquals(Device.cpu(), Compute.device());
      assertUsageError(
          run("main", "--device", "tpu"), "device tpu: expected auto, cpu, gpu or gpu:N");
      int gpus = Engine.getInstance().getGpuCount();
      assertUsageError(
          run("long-tail", "--device", "gpu:" + gpus), "the PyTorch engine sees " + gpus + " GPU");
      assertEquals(2, ran.size(), "no job runs on a bad device");
    } finally {
      Compute.use(before);
    }
  }

  /** Exit status 2, the message on the first of two lines, the second pointing at --help. */
  private static void assertUsageError(Outcome o, String message) {
    assertEquals(2, o.status(), o.err());
    assertEquals("", o.out());
    String[] lines = o.err().split("\n");
    assertEquals(2, lines.length, o.err());
    assertTrue(lines[0].contains(message), lines[0]);
    assertTrue(lines[1].endsWith("--help'."), lines[1]);
  }

  @Test
  void aUserErrorOfTheWorkIsOneLineWithoutATrace(@TempDir Path dir) throws Exception {
    // The toolkit's own error for missing data, thrown while the command runs.
    CommandLine missingData =
        Main.commandLine(
            new MainJob(
                c -> {
                  FashionMnist.load(c.out);
                  return 0;
                }));
    Outcome o = run(missingData, "main", "--out", dir.resolve("nothing").toString());
    assertOneLineError(o, "diffii main: Fashion-MNIST file " + dir.resolve("nothing"));

    // The real main job, with an output folder it cannot create.
    Path file = Files.writeString(dir.resolve("a-file"), "");
    o = run(Main.commandLine(new MainJob()), "main", "--out", file.resolve("out").toString());
    assertOneLineError(o, "diffii main: FileSystemException: " + file.resolve("out"));

    CommandLine unreadable =
        Main.commandLine(
            new PretrainCommand(
                c -> {
                  throw new UncheckedIOException(
                      "cannot read model folder m", new NoSuchFileException("m/model_index.json"));
                }));
    o = run(unreadable, "pretrain");
    assertOneLineError(
        o, "diffii pretrain: cannot read model folder m: NoSuchFileException: m/model_index.json");
  }

  @Test
  void everyMethodParses() {
    Outcome o =
        run(
            "few-shot",
            "--methods",
            "original,mixup,cutmix,cmo,real-gen,real-filter,real-guidance,real-mix,da-fusion,"
                + "diff-aug,diff-mix,diff-ii",
            "--captioner",
            "oracle");
    assertEquals(0, o.status(), o.err());
    FewShotCommand c = (FewShotCommand) ran.get(0);
    assertEquals(
        java.util.Arrays.stream(Method.values()).filter(m -> m != Method.CMO_DRW).toList(),
        c.methods);
    assertEquals(Embedded.Captioning.ORACLE, c.captioner);
  }

  @Test
  void theAblationCommandParsesItsSweepAndRejectsARatioOutsideTheUnitInterval() {
    Outcome o = run("ablation");
    assertEquals(0, o.status(), o.err());
    AblationCommand t4 = (AblationCommand) ran.get(0);
    assertEquals(AblationCommand.Sweep.TABLE4, t4.sweep);
    assertEquals(3, t4.trials);
    assertEquals(11, t4.ratios.size());
    assertEquals(Path.of("runs/ablation"), t4.out);
    Outcome f7 = run("ablation", "--sweep", "split-ratio", "--ratios", "0,0.5,1", "--trials", "1");
    assertEquals(0, f7.status(), f7.err());
    AblationCommand c = (AblationCommand) ran.get(1);
    assertEquals(AblationCommand.Sweep.SPLIT_RATIO, c.sweep);
    assertEquals(List.of(0.0, 0.5, 1.0), c.ratios);
    assertUsageError(
        run("ablation", "--sweep", "split-ratio", "--ratios", "0.3,1.5"),
        "diffii ablation: Invalid value for option '--ratios': 1.5 is not in [0, 1]");
    assertEquals(2, ran.size(), "the job did not run");
  }

  private static void assertOneLineError(Outcome o, String start) {
    assertEquals(2, o.status(), o.err());
    assertEquals(1, o.err().lines().count(), o.err());
    assertTrue(o.err().startsWith(start), o.err());
  }

  @Test
  void aBugKeepsItsTraceAndExitsOne() {
    CommandLine buggy =
        Main.commandLine(
            new FewShotCommand(
                c -> {
                  throw new IllegalStateException("a bug");
                }));
    Outcome o = run(buggy, "few-shot");
    assertEquals(1, o.status());
    assertTrue(o.err().startsWith("java.lang.IllegalStateException: a bug"), o.err());
    assertTrue(o.err().contains("\tat io.diffii.cli."), o.err());
  }

  @Test
  void userErrorsAreArgumentAndIoExceptionsWithAMessage() {
    assertEquals("bad", Main.userError(new IllegalArgumentException("bad")));
    assertNull(Main.userError(new IllegalArgumentException()));
    assertNull(Main.userError(new IllegalStateException("bad")));
    assertEquals(
        "NoSuchFileException: x",
        Main.userError(new UncheckedIOException(new NoSuchFileException("x"))));
  }
}
