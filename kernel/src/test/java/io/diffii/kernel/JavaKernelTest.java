package io.diffii.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import java.io.IOException;
import java.io.OutputStream;
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
