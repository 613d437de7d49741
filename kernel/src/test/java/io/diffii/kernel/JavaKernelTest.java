package io.diffii.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaKernelTest {

  private static JavaKernel kernel;
  private static ExecutorService background;

  @BeforeAll
  static void startKernel() {
    kernel = new JavaKernel();
    background = Executors.newSingleThreadExecutor();
  }

  @AfterAll
  static void stopKernel() {
    background.shutdownNow();
    kernel.onShutdown(false);
  }

  private static String text(DisplayData data) {
    assertNotNull(data, "the cell should have a value");
    return (String) data.getData(MIMEType.TEXT_PLAIN);
  }

  @Test
  void lastExpressionIsTheCellValue() throws Exception {
    assertEquals("42", text(kernel.eval("int answer = 6 * 7;\nanswer")));
  }

  @Test
  void statementsAndAssignmentsHaveNoValue() throws Exception {
    assertNull(kernel.eval("int quiet = 1;\nSystem.out.print(\"\");"));
    assertNull(kernel.eval("quiet = 2;"));
    assertEquals("2", text(kernel.eval("quiet")));
  }

  @Test
  void failingCellKeepsEarlierState() throws Exception {
    kernel.eval("int kept = 41;\nList<String> names = new ArrayList<>(List.of(\"a\"));");
    assertThrows(
        EvaluationException.class,
        () -> kernel.eval("names.add(\"b\");\nthrow new IllegalStateException(\"boom\");"));
    assertEquals("42", text(kernel.eval("kept + 1")));
    assertEquals("[a, b]", text(kernel.eval("names")));
  }

  @Test
  void runtimeErrorShowsTheCellLineThatThrew() throws Exception {
    kernel.eval("void explode() {\n  int unused = 0;\n  throw new RuntimeException(\"deep\");\n}");
    EvaluationException error =
        assertThrows(EvaluationException.class, () -> kernel.eval("int before = 1;\n\nexplode();"));
    assertEquals("java.lang.RuntimeException: deep", error.getMessage());
    List<String> traceback = error.traceback();
    assertTrue(
        traceback.get(1).endsWith("line 3: throw new RuntimeException(\"deep\");"),
        traceback.toString());
    assertTrue(traceback.get(2).endsWith("line 3: explode();"), traceback.toString());
  }

  @Test
  void compileErrorPointsAtTheCellLine() {
    CompilationException error =
        assertThrows(
            CompilationException.class,
            () -> kernel.eval("int first = 1;\nint second = first +\n    missingName;"));
    List<String> traceback = error.traceback();
    assertTrue(traceback.get(0).endsWith("line 3: cannot find symbol"), traceback.toString());
    assertTrue(traceback.contains("        missingName;"), traceback.toString());
    assertTrue(traceback.contains("        ^^^^^^^^^^^"), traceback.toString());
  }

  @Test
  void imageValueRendersAsPng() throws Exception {
    DisplayData data =
        kernel.eval(
            "new java.awt.image.BufferedImage(6, 4, java.awt.image.BufferedImage.TYPE_INT_RGB)");
    assertTrue(data.hasDataForType(MIMEType.IMAGE_PNG));
    assertEquals("BufferedImage 6x4", text(data));
  }

  @Test
  void imageGridValueRendersAsPng() throws Exception {
    DisplayData data =
        kernel.eval(
            "var tile = new java.awt.image.BufferedImage(3, 2,"
                + " java.awt.image.BufferedImage.TYPE_INT_RGB);\n"
                + "io.diffii.notebook.ImageGrid.of(2, List.of(tile, tile, tile)).withGap(0)");
    assertTrue(data.hasDataForType(MIMEType.IMAGE_PNG));
    assertEquals("ImageGrid 2x2 (6x4 pixels)", text(data));
  }

  @Test
  void chartValueRendersAsPng() throws Exception {
    DisplayData data =
        kernel.eval(
            "var chart = new org.knowm.xchart.XYChartBuilder().width(200).height(120)"
                + ".title(\"t\").build();\n"
                + "chart.addSeries(\"s\", new double[] {0, 1}, new double[] {1, 0});\n"
                + "chart");
    assertTrue(data.hasDataForType(MIMEType.IMAGE_PNG));
    assertEquals("XYChart \"t\" 200x120", text(data));
  }

  @Test
  void tableValueRendersAsHtmlWithTextFallback() throws Exception {
    DisplayData data =
        kernel.eval(
            "tech.tablesaw.api.Table.create(\"scores\","
                + " tech.tablesaw.api.DoubleColumn.create(\"top1\", 0.5, 0.75))");
    assertTrue(((String) data.getData(MIMEType.TEXT_HTML)).contains("<td>0.75</td>"));
    assertTrue(text(data).contains("top1"));
  }

  @Test
  void longTablesShowTheirFirstRowsInHtml() throws Exception {
    DisplayData data =
        kernel.eval(
            "tech.tablesaw.api.Table.create(\"long\", tech.tablesaw.api.IntColumn.create(\"i\","
                + " java.util.stream.IntStream.range(0, 500).toArray()))");
    String html = (String) data.getData(MIMEType.TEXT_HTML);
    assertTrue(html.contains("<td>199</td>"));
    assertTrue(!html.contains("<td>200</td>"));
    assertTrue(html.contains("first 200 of 500 rows"));
  }

  @Test
  void classpathMagicAddsCompiledClasses(@TempDir Path dir) throws Exception {
    Path classes = compileGreeter(dir, "fromdir");
    DisplayData data = kernel.eval("%classpath " + classes + "\nfromdir.Greeter.greet()");
    assertEquals("hello from fromdir", text(data));
  }

  @Test
  void jarsMagicAddsJarFiles(@TempDir Path dir) throws Exception {
    Path classes = compileGreeter(dir.resolve("build"), "fromjar");
    Path jar = dir.resolve("greeter.jar");
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry("fromjar/Greeter.class"));
      out.write(Files.readAllBytes(classes.resolve("fromjar/Greeter.class")));
      out.closeEntry();
    }
    DisplayData data = kernel.eval("%jars " + dir + "/*.jar\nfromjar.Greeter.greet()");
    assertEquals("hello from fromjar", text(data));
  }

  @Test
  void loadMagicRunsAFile(@TempDir Path dir) throws Exception {
    Path script = dir.resolve("setup.jsh");
    Files.writeString(script, "int loadedValue = 7;\nString twice(String s) { return s + s; }\n");
    assertEquals(
        "ab ab 7", text(kernel.eval("%load " + script + "\ntwice(\"ab \") + loadedValue")));
  }

  @Test
  void unknownMagicFailsWithItsLine() {
    MagicException error =
        assertThrows(MagicException.class, () -> kernel.eval("int a1 = 1;\n%nonsense arg"));
    assertTrue(error.getMessage().contains("line 2: %nonsense arg"), error.getMessage());
  }

  @Test
  void classpathMagicWithoutMatchesFails() {
    MagicException error =
        assertThrows(MagicException.class, () -> kernel.eval("%classpath /no/such/dir/*.jar"));
    assertTrue(
        error.getMessage().contains("nothing matches /no/such/dir/*.jar"), error.getMessage());
  }

  @Test
  void interruptStopsALoopThatIgnoresInterruption() throws Exception {
    kernel.eval("int survivor = 5;");
    assertInterrupted(background.submit(() -> kernel.eval("while (true) { survivor = 5; }")));
    assertEquals("6", text(kernel.eval("survivor + 1")));
  }

  @Test
  void interruptEndsASleepingCell() throws Exception {
    assertInterrupted(background.submit(() -> kernel.eval("Thread.sleep(600_000);")));
    assertEquals("2", text(kernel.eval("1 + 1")));
  }

  private static void assertInterrupted(Future<DisplayData> cell) throws InterruptedException {
    Thread.sleep(500);
    kernel.interrupt();
    ExecutionException failure =
        assertThrows(ExecutionException.class, () -> cell.get(30, TimeUnit.SECONDS));
    assertInstanceOf(CellInterruptedException.class, failure.getCause());
  }

  @Test
  void interruptStopsAToolkitTrainingLoopWithinFiveSecondsAndKeepsEarlierState() throws Exception {
    kernel.eval("int before = 3;");
    System.clearProperty("diffii.test.step");
    Future<DisplayData> cell =
        background.submit(
            () ->
                kernel.eval(
                    "var manager = ai.djl.ndarray.NDManager.newBaseManager();\n"
                        + "var w = manager.create(new float[] {1f, 2f});\n"
                        + "var sgd = new io.diffii.train.Sgd(Map.of(\"w\", w), 0.9, 0);\n"
                        + "io.diffii.train.TrainingLoop.named(\"endless\", Long.MAX_VALUE, 1)\n"
                        + "    .optimize(\"w\", sgd, step -> 1e-3).quiet()\n"
                        + "    .run((step, rng, scope) -> {\n"
                        + "      System.setProperty(\"diffii.test.step\", String.valueOf(step));\n"
                        + "      return w.square().sum();\n"
                        + "    });"));
    // The first steps load the PyTorch engine; interrupt once the loop is really stepping.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (Long.parseLong(System.getProperty("diffii.test.step", "0")) < 3) {
      assertTrue(System.nanoTime() < deadline, "the training loop never started");
      if (cell.isDone()) {
        cell.get(); // throws what ended the cell early
      }
      Thread.sleep(20);
    }
    long interrupted = System.nanoTime();
    kernel.interrupt();
    ExecutionException failure =
        assertThrows(ExecutionException.class, () -> cell.get(30, TimeUnit.SECONDS));
    double seconds = (System.nanoTime() - interrupted) / 1e9;
    assertInstanceOf(CellInterruptedException.class, failure.getCause());
    assertTrue(seconds < 5, "stopped after " + seconds + " s");
    // The loop stopped between steps, so its arrays are whole and earlier state is intact.
    assertEquals("5", text(kernel.eval("before + w.toFloatArray().length")));
  }

  @Test
  void aCellPrintingTenMegabytesSendsOneMebibyteInFewBatches() throws Exception {
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    int[] flushes = {0};
    PrintStream jupyter =
        new PrintStream(sent, false, StandardCharsets.UTF_8) {
          @Override
          public void flush() {
            flushes[0]++;
            super.flush();
          }
        };
    PrintStream out = System.out;
    PrintStream err = System.err;
    long start = System.nanoTime();
    try {
      System.setOut(jupyter);
      System.setErr(jupyter);
      kernel.eval(
          "for (int i = 0; i < 100_000; i++) {\n  System.out.println(\"x\".repeat(99));\n}");
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    String text = sent.toString(StandardCharsets.UTF_8);
    assertTrue(seconds < 30, "took " + seconds + " s");
    assertTrue(sent.size() < CellOutput.DEFAULT_LIMIT + 1024, sent.size() + " bytes sent");
    assertTrue(
        text.contains("[output truncated: 8,951,424 of the cell's 10,000,000 bytes"),
        text.substring(text.length() - 300));
    assertTrue(flushes[0] < 100, flushes[0] + " stream messages");
    assertEquals("2", text(kernel.eval("1 + 1")));
  }

  @Test
  void aFailureInsideTheToolkitShowsItsMessageAndTheCellLineOnly() {
    EvaluationException error =
        assertThrows(
            EvaluationException.class,
            () ->
                kernel.eval(
                    "int unused = 1;\nvar loop = io.diffii.train.TrainingLoop.named(\"empty\", 0, 1);"));
    List<String> traceback = error.traceback();
    assertEquals(
        "java.lang.IllegalArgumentException: empty: a training run needs at least one step, got 0",
        traceback.get(0));
    assertTrue(traceback.get(1).contains("io.diffii.train.TrainingLoop"), traceback.toString());
    assertTrue(
        traceback
            .get(traceback.size() - 1)
            .endsWith("line 2: var loop = io.diffii.train.TrainingLoop.named(\"empty\", 0, 1);"),
        traceback.toString());
    // The throwing frame, one hidden library frame and the cell's two frames; nothing of JShell's
    // or the kernel's own machinery.
    assertTrue(traceback.size() <= 5, traceback.toString());
    assertTrue(
        traceback.stream().noneMatch(line -> line.contains("jdk.") || line.contains("Kernel")),
        traceback.toString());
  }

  @Test
  void aCellOutOfHeapFailsAndTheKernelGoesOn() throws Exception {
    // One array larger than the heap: the cell fails at once, without filling the test JVM's heap.
    assumeTrue(Runtime.getRuntime().maxMemory() < 15L << 30, "the heap holds 16 GiB");
    kernel.eval("int survives = 8;");
    EvaluationException error =
        assertThrows(
            EvaluationException.class,
            () -> kernel.eval("long[] huge = new long[Integer.MAX_VALUE - 16];"));
    assertTrue(error.getMessage().startsWith("java.lang.OutOfMemoryError"), error.getMessage());
    assertTrue(
        error
            .traceback()
            .get(error.traceback().size() - 1)
            .startsWith("The kernel is still running"));
    assertEquals("9", text(kernel.eval("survives + 1")));
  }

  @Test
  void aCellOutOfNativeMemoryFailsAndTheKernelGoesOn() throws Exception {
    kernel.eval("int alsoSurvives = 8;");
    // 2^48 floats (1 PiB) is more than the address space: PyTorch's allocator refuses at once.
    EvaluationException error =
        assertThrows(
            EvaluationException.class,
            () ->
                kernel.eval(
                    "try (var m = ai.djl.ndarray.NDManager.newBaseManager()) {\n"
                        + "  m.zeros(new ai.djl.ndarray.types.Shape(1L << 48));\n"
                        + "}"));
    assertTrue(error.getMessage().startsWith("ai.djl.engine.EngineException"), error.getMessage());
    assertTrue(
        error.traceback().stream()
            .anyMatch(
                line ->
                    line.endsWith("line 2: m.zeros(new ai.djl.ndarray.types.Shape(1L << 48));")),
        error.traceback().toString());
    assertEquals("9", text(kernel.eval("alsoSurvives + 1")));
  }

  @Test
  void isCompleteTellsCompleteIncompleteAndInvalidCode() {
    assertEquals("complete", kernel.isComplete("int a = 1;\n%classpath x\nSystem.out.println(a)"));
    assertEquals("    ", kernel.isComplete("for (int i = 0; i < 3; i++) {"));
    assertEquals("invalid", kernel.isComplete("int x = 1 +;"));
  }

  @Test
  void completionSuggestsMembersAtTheCursor() {
    String code = "int unrelated = 1;\nInteger.toHexS";
    ReplacementOptions options = kernel.complete(code, code.length());
    assertEquals(List.of("toHexString("), options.getReplacements());
    assertEquals(code.length() - "toHexS".length(), options.getSourceStart());
  }

  @Test
  void inspectionShowsSignaturesOfTheNameAtTheCursor() {
    DisplayData data = kernel.inspect("Math.abs", 6, false);
    assertTrue(text(data).contains("int Math.abs(int a)"), text(data));
  }

  @Test
  void magicWordsKeepQuotedSpaces() {
    assertEquals(List.of("a", "b c", "d"), JavaKernel.words(" a \"b c\"  d "));
  }

  /** Compiles {@code pkg.Greeter}, whose {@code greet()} says hello from {@code pkg}. */
  private static Path compileGreeter(Path dir, String pkg) throws IOException {
    Path source = dir.resolve("src/" + pkg + "/Greeter.java");
    Files.createDirectories(source.getParent());
    Files.writeString(
        source,
        "package "
            + pkg
            + "; public class Greeter {"
            + " public static String greet() { return \"hello from "
            + pkg
            + "\"; } }");
    Path classes = dir.resolve("classes");
    int status =
        ToolProvider.getSystemJavaCompiler()
            .run(null, null, null, "-d", classes.toString(), source.toString());
    assertEquals(0, status, "javac failed");
    return classes;
  }
}
