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

/** {@code diffii pretrain-clip}'s options, parsed with a stub job: nothing is trained. */
class PretrainClipCommandTest {

  private final List<PretrainClipCommand> ran = new ArrayList<>();

  private String[] run(String... args) {
    CommandLine cl =
        Main.commandLine(
            new PretrainClipCommand(
                c -> {
                  ran.add(c);
                  return 0;
                }));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int status = cl.execute(args);
    return new String[] {Integer.toString(status), out.toString(), err.toString()};
  }

  @Test
  void defaultsWriteTheShippedFolderAndKeepCheckpointsUnderRuns() {
    assertEquals("0", run("pretrain-clip")[0]);
    PretrainClipCommand c = ran.get(0);
    assertEquals(Path.of("runs/pretrain-clip"), c.work);
    assertEquals(Path.of("data/models/fashion-scenes-clip"), c.out);
    assertNull(c.stopAfter);
  }

  @Test
  void helpListsTheOptionsAndABadStepIsAUsageError() {
    String help = run("pretrain-clip", "--help")[1];
    for (String s :
        List.of("--work=DIR", "Default: runs/pretrain-clip", "--out=DIR", "--stop-after=STEP")) {
      assertTrue(help.contains(s), help);
    }
    String[] bad = run("pretrain-clip", "--stop-after", "0");
    assertEquals("2", bad[0]);
    assertTrue(bad[2].contains("--stop-after"), bad[2]);
    assertTrue(ran.isEmpty(), "no job ran for bad input");
  }
}
