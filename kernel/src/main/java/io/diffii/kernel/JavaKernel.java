package io.diffii.kernel;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.BaseKernel;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.kernel.LanguageInfo;
import io.github.spencerpark.jupyter.kernel.ReplacementOptions;
import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.magic.common.Load;
import io.github.spencerpark.jupyter.kernel.magic.registry.Magics;
import io.github.spencerpark.jupyter.messages.Message;
import io.github.spencerpark.jupyter.messages.MessageType;
import io.github.spencerpark.jupyter.messages.reply.KernelInfoReply;
import io.github.spencerpark.jupyter.messages.request.KernelInfoRequest;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.stream.Collectors;
import jdk.jshell.DeclarationSnippet;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.SourceCodeAnalysis.Completeness;
import jdk.jshell.SourceCodeAnalysis.CompletionInfo;
import jdk.jshell.SourceCodeAnalysis.Documentation;
import jdk.jshell.SourceCodeAnalysis.Suggestion;
import sun.misc.Signal;

/**
 * A Jupyter kernel for Java: cells are JShell snippets run in this JVM, with the toolkit and its
 * dependencies on the classpath.
 *
 * <p>Compatible with IJava where notebooks notice: kernelspec and language name {@code java}, the
 * magics {@code %classpath}, {@code %jars} and {@code %load} (a line starting with {@code %}), and
 * {@code display(value)} in cells. A cell's last expression and {@code display(value)} render
 * {@link java.awt.image.BufferedImage}s and XChart charts as image/png and Tablesaw tables as
 * text/html. Errors name the cell line; an interrupt stops the running cell, and a failed cell
 * leaves earlier state intact. A cell's printed output goes out in batches, at most {@link
 * CellOutput#DEFAULT_LIMIT} bytes of it.
 */
public final class JavaKernel extends BaseKernel {

  /** Snippets every session starts with: jshell's default imports and {@code display}. */
  private static final List<String> PRELUDE =
      List.of(
          "import java.io.*;",
          "import java.math.*;",
          "import java.net.*;",
          "import java.nio.file.*;",
          "import java.util.*;",
          "import java.util.concurrent.*;",
          "import java.util.function.*;",
          "import java.util.regex.*;",
          "import java.util.stream.*;",
          "void display(Object value, String... mimeTypes) {"
              + " io.diffii.kernel.JavaKernel.current().displayValue(value, mimeTypes); }");

  /** Marks a snippet or cell that produced no value (as opposed to the value null). */
  private static final Object NO_VALUE = new Object();

  private static volatile JavaKernel current;

  private final CellExecutionControl control = new CellExecutionControl();
  private final JShell shell;
  private final SourceCodeAnalysis analysis;
  private final Magics magics = new Magics();
  private final Map<String, SnippetOrigin> origins = new ConcurrentHashMap<>();
  private final LanguageInfo languageInfo =
      new LanguageInfo(
          "java",
          Runtime.version().toString(),
          "text/x-java-source",
          ".jshell",
          "java",
          "java",
          "script");
  private volatile boolean interrupted;
  private volatile CellOutput output;
  private String loadLabel = "%load";

  /** Starts a JShell session that compiles against this JVM's classpath. */
  public JavaKernel() {
    shell =
        JShell.builder()
            .executionEngine(new CellExecutionControl.Provider(control), Map.of())
            .build();
    shell.addToClasspath(System.getProperty("java.class.path"));
    analysis = shell.sourceCodeAnalysis();
    magics.registerMagics(new ClasspathMagics(shell::addToClasspath));
    magics.registerMagics(
        new Load(List.of(".jsh", ".jshell", ".java", ".ipynb"), code -> runCell(code, loadLabel)));
    RichRenderers.registerAll(renderer);
    for (String snippet : PRELUDE) {
      try {
        runCell(snippet, "prelude");
      } catch (CellException e) {
        throw new IllegalStateException("The kernel's prelude failed: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Runs the kernel for the Jupyter connection file {@code args[0]} until Jupyter shuts it down.
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: java io.diffii.kernel.JavaKernel CONNECTION_FILE");
      System.exit(2);
    }
    // The messaging library logs every message at INFO to the Jupyter server's console; keep the
    // kernel's java.util.logging output there to warnings.
    LogManager.getLogManager().getLogger("").setLevel(Level.WARNING);
    String connection = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    JupyterConnection jupyter = new JupyterConnection(KernelConnectionProperties.parse(connection));
    exitWithJupyter();
    JavaKernel kernel = new JavaKernel();
    // The kernelspec asks for interrupt_request messages, but a SIGINT (kill -INT, a front end
    // that signals) would end the JVM and every variable with it: it interrupts the cell instead.
    Signal.handle(new Signal("INT"), signal -> kernel.interrupt());
    kernel.becomeHandlerForConnection(jupyter);
    jupyter.connect();
    jupyter.waitUntilClose();
    // Threads a notebook started must not keep the process alive after Jupyter is gone.
    System.exit(0);
  }

  /**
   * Exits when the Jupyter process that started the kernel is gone, as IPython's kernels do, so a
   * client that dies without shutting the kernel down leaves no JVM behind. On POSIX systems
   * jupyter_client passes its process id in {@code JPY_PARENT_PID}.
   */
  private static void exitWithJupyter() {
    String parent = System.getenv("JPY_PARENT_PID");
    if (parent == null || !parent.matches("\\d+") || File.separatorChar != '/') {
      return;
    }
    ProcessHandle.of(Long.parseLong(parent))
        .ifPresent(process -> process.onExit().thenRun(() -> System.exit(0)));
  }

  /** Returns the kernel running the current cell (for {@code display} and custom renderers). */
  public static JavaKernel current() {
    JavaKernel kernel = current;
    if (kernel == null) {
      throw new IllegalStateException("No Java kernel has run a cell in this JVM");
    }
    return kernel;
  }

  /**
   * Shows {@code value} as a display_data output now: rendered as {@code mimeTypes} if any are
   * given, else as its preferred type (image/png for images and charts, text/html for tables).
   */
  public void displayValue(Object value, String... mimeTypes) {
    CellOutput printed = output;
    if (printed != null) {
      // Text the cell printed before the display comes before it in the notebook.
      printed.flush();
    }
    display(render(value, mimeTypes));
  }

  /** Handles the connection's requests, answering kernel_info with the protocol's status field. */
  @Override
  public void becomeHandlerForConnection(JupyterConnection connection) {
    super.becomeHandlerForConnection(connection);
    connection.setHandler(MessageType.KERNEL_INFO_REQUEST, this::replyKernelInfo);
  }

  private void replyKernelInfo(ShellReplyEnvironment env, Message<KernelInfoRequest> request) {
    env.setBusyDeferIdle();
    env.reply(
        new KernelInfoWithStatus(
            KERNEL_META.get("project"),
            KERNEL_META.get("version"),
            getLanguageInfo(),
            getBanner()));
  }

  /** {@inheritDoc} */
  @Override
  public LanguageInfo getLanguageInfo() {
    return languageInfo;
  }

  /** {@inheritDoc} */
  @Override
  public String getBanner() {
    return "Java " + Runtime.version() + " (JShell) with the diffii toolkit";
  }

  /** {@inheritDoc} */
  @Override
  public DisplayData eval(String code) throws Exception {
    current = this;
    interrupted = false;
    control.startCell();
    PrintStream out = System.out;
    PrintStream err = System.err;
    try (CellOutput printed = new CellOutput(out, err, CellOutput.DEFAULT_LIMIT)) {
      output = printed;
      System.setOut(printed.out());
      System.setErr(printed.err());
      Object value = runCell(code, "cell [" + (executionCount.get() - 1) + "]");
      return value == NO_VALUE ? null : render(value);
    } finally {
      output = null;
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** {@inheritDoc} */
  @Override
  public String isComplete(String code) {
    String rest = blankMagicLines(code);
    while (!rest.isBlank()) {
      CompletionInfo info = analysis.analyzeCompletion(rest);
      switch (info.completeness()) {
        case DEFINITELY_INCOMPLETE, CONSIDERED_INCOMPLETE:
          return nextLineIndent(code);
        case UNKNOWN:
          return IS_COMPLETE_BAD;
        default:
          if (info.remaining().length() >= rest.length()) {
            return IS_COMPLETE_YES;
          }
          rest = info.remaining();
      }
    }
    return IS_COMPLETE_YES;
  }

  /** {@inheritDoc} */
  @Override
  public ReplacementOptions complete(String code, int at) {
    String text = blankMagicLines(code);
    int start = snippetStart(text, at);
    int[] anchor = new int[1];
    List<String> matches =
        analysis.completionSuggestions(text.substring(start, at), at - start, anchor).stream()
            .sorted(Comparator.comparing((Suggestion s) -> !s.matchesType()))
            .map(Suggestion::continuation)
            .distinct()
            .toList();
    return new ReplacementOptions(matches, start + anchor[0], at);
  }

  /** {@inheritDoc} */
  @Override
  public DisplayData inspect(String code, int at, boolean extraDetail) {
    String text = blankMagicLines(code);
    int start = snippetStart(text, at);
    String before = text.substring(start, at);
    List<Documentation> docs = analysis.documentation(before, before.length(), extraDetail);
    if (docs.isEmpty()) {
      // JShell documents a call after its "(", while Shift-Tab usually lands on the name.
      int end = at;
      while (end < text.length() && Character.isJavaIdentifierPart(text.charAt(end))) {
        end++;
      }
      String call = text.substring(start, end) + "(";
      docs = analysis.documentation(call, call.length(), extraDetail);
    }
    if (docs.isEmpty()) {
      return null;
    }
    return new DisplayData(
        docs.stream()
            .map(
                doc ->
                    doc.javadoc() == null || doc.javadoc().isBlank()
                        ? doc.signature()
                        : doc.signature() + "\n" + doc.javadoc())
            .collect(Collectors.joining("\n\n")));
  }

  /**
   * Stops the running cell: interrupts its thread (the toolkit's training and denoising loops stop
   * before their next step), and stops the thread if it ignores that. An interrupt while a snippet
   * compiles stops it before it runs; the rest of the cell is skipped.
   */
  @Override
  public void interrupt() {
    interrupted = true;
    shell.stop();
  }

  /** {@inheritDoc} */
  @Override
  public void onShutdown(boolean isRestarting) {
    shell.close();
  }

  /** Returns the traceback of a failed cell, or a stack trace for failures of the kernel. */
  @Override
  public List<String> formatError(Exception e) {
    if (e instanceof CellException failure) {
      return new ArrayList<>(failure.traceback());
    }
    return super.formatError(e);
  }

  private DisplayData render(Object value, String... mimeTypes) {
    if (value == null) {
      return new DisplayData("null");
    }
    return mimeTypes.length == 0 ? renderer.render(value) : renderer.renderAs(value, mimeTypes);
  }

  /**
   * Runs {@code text}: lines starting with {@code %} are line magics, run in order between the code
   * around them. Returns the value of the last part, or {@link #NO_VALUE}.
   */
  private Object runCell(String text, String label) throws CellException {
    Object value = NO_VALUE;
    int codeStart = 0;
    int lineStart = 0;
    while (lineStart < text.length()) {
      int lineEnd = text.indexOf('\n', lineStart);
      lineEnd = lineEnd < 0 ? text.length() : lineEnd;
      String line = text.substring(lineStart, lineEnd);
      if (isMagic(line)) {
        if (!text.substring(codeStart, lineStart).isBlank()) {
          runCode(text, codeStart, lineStart, label);
        }
        runLineMagic(line, label + " line " + lineNumber(text, lineStart));
        value = NO_VALUE;
        codeStart = lineEnd;
      }
      lineStart = lineEnd + 1;
    }
    if (!text.substring(codeStart).isBlank()) {
      value = runCode(text, codeStart, text.length(), label);
    }
    return value;
  }

  private void runLineMagic(String line, String where) throws CellException {
    List<String> words = words(line.strip().substring(1));
    if (words.isEmpty()) {
      throw new MagicException(
          where, line, new IllegalArgumentException("a magic needs a name after %"));
    }
    loadLabel = line.strip();
    try {
      magics.applyLineMagic(words.get(0), words.subList(1, words.size()));
    } catch (CellException e) {
      throw e;
    } catch (Exception e) {
      throw new MagicException(where, line, e);
    }
  }

  /** Runs the code in {@code text} between {@code start} and {@code end}, snippet by snippet. */
  private Object runCode(String text, int start, int end, String label) throws CellException {
    Object value = NO_VALUE;
    int offset = start;
    while (offset < end) {
      // JShell numbers stack-frame lines from a snippet's first non-blank character.
      while (offset < end && Character.isWhitespace(text.charAt(offset))) {
        offset++;
      }
      if (offset == end) {
        break;
      }
      String rest = text.substring(offset, end);
      CompletionInfo info = analysis.analyzeCompletion(rest);
      if (info.completeness() == Completeness.EMPTY) {
        break;
      }
      // Incomplete or malformed code goes to JShell whole, so its diagnostics say what is wrong.
      boolean complete = info.completeness().isComplete();
      String source = complete ? info.source() : rest;
      int consumed = complete ? rest.length() - info.remaining().length() : rest.length();
      value = runSnippet(source, new SnippetOrigin(label, lineNumber(text, offset), source));
      offset += Math.max(consumed, 1);
    }
    return value;
  }

  private Object runSnippet(String source, SnippetOrigin origin) throws CellException {
    if (interrupted) {
      throw new CellInterruptedException(origin);
    }
    Object value = NO_VALUE;
    for (SnippetEvent event : shell.eval(source)) {
      if (event.causeSnippet() != null) {
        continue;
      }
      Snippet snippet = event.snippet();
      origins.put(snippet.id(), origin);
      if (interrupted) {
        throw new CellInterruptedException(origin);
      }
      if (event.status() == Snippet.Status.REJECTED) {
        throw new CompilationException(shell.diagnostics(snippet).toList(), origin);
      }
      if (event.exception() != null) {
        throw new EvaluationException(event.exception(), origins::get);
      }
      if (event.status() == Snippet.Status.RECOVERABLE_DEFINED
          || event.status() == Snippet.Status.RECOVERABLE_NOT_DEFINED) {
        warnUnresolved((DeclarationSnippet) snippet, origin);
      }
      // An expression or a variable alone has a value to show; an assignment, as in Python, not.
      if (snippet.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND
          || snippet.subKind() == Snippet.SubKind.VAR_VALUE_SUBKIND) {
        value = control.lastValue();
      }
    }
    return value;
  }

  private void warnUnresolved(DeclarationSnippet snippet, SnippetOrigin origin) {
    System.err.println(
        origin.where(1)
            + ": "
            + snippet.name()
            + " is declared but cannot be used until "
            + shell.unresolvedDependencies(snippet).collect(Collectors.joining(", "))
            + " is defined");
  }

  /** Returns where the snippet holding position {@code at} of {@code text} starts. */
  private int snippetStart(String text, int at) {
    int offset = 0;
    while (offset < text.length()) {
      CompletionInfo info = analysis.analyzeCompletion(text.substring(offset));
      int end = text.length() - info.remaining().length();
      if (!info.completeness().isComplete() || end <= offset || at <= end) {
        return offset;
      }
      offset = end;
    }
    return offset;
  }

  private static boolean isMagic(String line) {
    return line.strip().startsWith("%");
  }

  /** Replaces magic lines with spaces, keeping every offset, for code analysis. */
  private static String blankMagicLines(String code) {
    return code.lines()
        .map(line -> isMagic(line) ? " ".repeat(line.length()) : line)
        .collect(Collectors.joining("\n", "", code.endsWith("\n") ? "\n" : ""));
  }

  private static String nextLineIndent(String code) {
    List<String> lines = code.lines().filter(line -> !line.isBlank()).toList();
    if (lines.isEmpty()) {
      return "";
    }
    String last = lines.get(lines.size() - 1);
    String indent = last.substring(0, last.length() - last.stripLeading().length());
    return last.strip().endsWith("{") ? indent + "    " : indent;
  }

  private static int lineNumber(String text, int offset) {
    return (int) text.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }

  /** Splits a magic's arguments at whitespace; double quotes keep spaces inside a word. */
  static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    boolean quoted = false;
    for (char c : text.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
        word = word == null ? new StringBuilder() : word;
      } else if (Character.isWhitespace(c) && !quoted) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  /** The library's kernel_info reply without the "status" field that protocol 5 requires. */
  private static final class KernelInfoWithStatus extends KernelInfoReply {

    @SuppressWarnings("unused") // read by Gson when the reply is serialized
    private final String status = "ok";

    KernelInfoWithStatus(String name, String version, LanguageInfo language, String banner) {
      super("5.3", name, version, language, banner, null);
    }
  }
}
