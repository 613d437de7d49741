package io.diffii.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code few-shot}'s full-scale options, parsed with a stub job: nothing is loaded or run. */
class FullScaleCommandTest {

  private final List<FewShotCommand> ran = new ArrayList<>();

  /** Returns the exit status and what went to stderr. */
  private String[] run(String... args) {
    CommandLine cl =
        Main.commandLine(
            new FewShotCommand(
                c -> {
                  ran.add(c);
                  return 0;
                }));
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    return new String[] {String.valueOf(cl.execute(args)), err.toString()};
  }

  private void assertUsageError(String expected, String... args) {
    String[] o = run(args);
    assertEquals("2", o[0], o[1]);
    assertTrue(o[1].startsWith("diffii few-shot: "), o[1]);
    assertTrue(o[1].contains(expected), o[1]);
  }

  @Test
  void theFullScaleOptionsParseAndConceptStepsComeFromTheSettingsUnlessGiven() {
    String[] o =
        run(
            "few-shot",
            "--model",
            "sd15",
            "--dataset",
            "cub:/data/CUB_200_2011",
            "--backbone",
            "resnet50:/w/resnet50.safetensors",
            "--clip",
            "clip",
            "--shots",
            "5",
            "--trials",
            "3");
    assertEquals("0", o[0], o[1]);
    FewShotCommand c = ran.get(0);
    assertEquals(Path.of("sd15"), c.model);
    assertEquals("cub:/data/CUB_200_2011", c.dataset);
    assertEquals("resnet50:/w/resnet50.safetensors", c.backbone);
    assertEquals(Path.of("clip"), c.clip);
    assertNull(c.conceptSteps, "released settings' steps unless --concept-steps is given");
    run(
        "few-shot",
        "--model",
        "sd15",
        "--dataset",
        "pets:p",
        "--backbone",
        "vitb16:v",
        "--captions",
        "c.txt",
        "--concept-steps",
        "100");
    assertEquals(100, ran.get(1).conceptSteps);
    assertEquals(Path.of("c.txt"), ran.get(1).captions);
  }

  @Test
  void missingOrMalformedFullScaleOptionsAreUsageErrors() {
    assertUsageError("--dataset needs --model DIR", "few-shot", "--dataset", "cub:x");
    assertUsageError("--model needs --dataset", "few-shot", "--model", "m");
    assertUsageError("--model needs --backbone", "few-shot", "--model", "m", "--dataset", "cub:x");
    String[] full = {"few-shot", "--model", "m", "--dataset", "cub:x", "--backbone"};
    assertUsageError(
        "unknown data set birds",
        "few-shot",
        "--model",
        "m",
        "--dataset",
        "birds:x",
        "--backbone",
        "resnet50:w");
    assertUsageError("a backbone is KIND:PATH", concat(full, "resnet50"));
    assertUsageError("unknown backbone resnet18; use resnet50, vitb16", concat(full, "resnet18:w"));
    assertUsageError(
        "--backbones is for the embedded default",
        concat(full, "resnet50:w", "--backbones", "vit"));
    assertEquals(0, ran.size(), "no job ran");
  }

  private static String[] concat(String[] head, String... tail) {
    String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }
}
