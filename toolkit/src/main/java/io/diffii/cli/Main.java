package io.diffii.cli;

import ai.djl.Device;
import io.diffii.augment.Interpolation;
import io.diffii.classify.Backbone;
import io.diffii.data.LongTail;
import io.diffii.embedded.Embedded;
import io.diffii.experiment.Method;
import io.diffii.nn.Compute;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code diffii <command> [options]}: the toolkit's command line. Every command takes {@code
 * --help}; a wrong option or value, and a user error the toolkit reports while running (a missing
 * model or data folder, an unreadable path), end in one line on stderr and exit status 2.
 */
@Command(
    name = "diffii",
    description =
        "Diff-II on the embedded default. Run 'diffii COMMAND --help' for a command's options.",
    synopsisSubcommandLabel = "COMMAND",
    sortOptions = false)
public final class Main implements Callable<Integer> {

  /**
   * The work of a command, given the command with its parsed options; tests pass a stub so that
   * parsing is checked without running a job.
   *
   * @param <C> the command class
   */
  interface Job<C> {
    /** Runs the work and returns the exit status. */
    int run(C command) throws Exception;
  }

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Shows this help and exits.")
  private boolean help;

  @Spec private CommandSpec spec;

  @Option(
      names = "--device",
      paramLabel = "DEVICE",
      scope = ScopeType.INHERIT,
      description =
          "Where models and arrays live: auto (a GPU when DJL's CUDA natives see one, else the"
              + " CPU), cpu, gpu or gpu:N. Default: auto.")
  private void device(Device d) {
    Compute.use(d);
  }

  private Main() {}

  /** Runs the command named by the first argument and exits with its status. */
  public static void main(String[] args) {
    System.exit(
        commandLine(
                new MainJob(),
                new FewShotCommand(),
                new LongTailCommand(),
                new OodCommand(),
                new AblationCommand(),
                new PretrainCommand(),
                new PretrainClipCommand())
            .execute(args));
  }

  /**
   * Builds the command line with the given subcommands ({@code @Command}-annotated objects) and the
   * {@code help} command, the converters of the enum-valued options, and the handlers that turn
   * user errors into one line and exit status 2.
   */
  static CommandLine commandLine(Object... commands) {
    CommandLine cl = new CommandLine(new Main());
    for (Object command : commands) {
      cl.addSubcommand(command);
    }
    cl.addSubcommand(new CommandLine.HelpCommand());
    // Registered after the subcommands: picocli copies converters into the subcommands present.
    cl.registerConverter(Backbone.class, new EnumValues<>(Backbone.class));
    cl.registerConverter(OnOff.class, new EnumValues<>(OnOff.class));
    cl.registerConverter(Method.class, new EnumValues<>(Method.class));
    cl.registerConverter(Interpolation.class, new EnumValues<>(Interpolation.class));
    cl.registerConverter(LongTail.Form.class, new EnumValues<>(LongTail.Form.class));
    cl.registerConverter(Embedded.Captioning.class, new EnumValues<>(Embedded.Captioning.class));
    cl.registerConverter(
        AblationCommand.Sweep.class, new EnumValues<>(AblationCommand.Sweep.class));
    cl.registerConverter(
        Device.class,
        name -> {
          try {
            return Compute.parse(name);
          } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
          }
        });
    cl.setParameterExceptionHandler(Main::rejectUsage);
    cl.setExecutionExceptionHandler(Main::reportFailure);
    return cl;
  }

  /** Without a command there is nothing to run: a usage error. */
  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "missing command, one of " + spec.subcommands().keySet());
  }

  /**
   * Rejects the given values unless each is at least 1, as a usage error of the option.
   *
   * @param spec the command whose option is checked
   * @param option the option's name, for the message
   * @param values the parsed values
   */
  static void requirePositive(CommandSpec spec, String option, List<Integer> values) {
    for (int v : values) {
      if (v < 1) {
        throw new ParameterException(
            spec.commandLine(),
            "Invalid value for option '" + option + "': " + v + " is not at least 1");
      }
    }
  }

  /**
   * Rejects the given values unless each lies in [0, 1], as a usage error of the option.
   *
   * @param spec the command whose option is checked
   * @param option the option's name, for the message
   * @param values the parsed values
   */
  static void requireFraction(CommandSpec spec, String option, List<Double> values) {
    for (double v : values) {
      if (!(v >= 0 && v <= 1)) {
        throw new ParameterException(
            spec.commandLine(),
            "Invalid value for option '" + option + "': " + v + " is not in [0, 1]");
      }
    }
  }

  /** A parse error: its message on one line, then where to look. */
  private static int rejectUsage(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    String name = cl.getCommandSpec().qualifiedName();
    PrintWriter err = cl.getErr();
    err.println(name + ": " + oneLine(e.getMessage()));
    List<String> suggestions =
        e instanceof UnmatchedArgumentException u ? u.getSuggestions() : List.of();
    String didYouMean =
        suggestions.isEmpty() ? "" : "Did you mean " + String.join(" or ", suggestions) + "? ";
    err.println(didYouMean + "See '" + name + " --help'.");
    return cl.getCommandSpec().exitCodeOnInvalidInput();
  }

  /**
   * A failure of a command's work: a user error (see {@link #userError}) is one line and exit
   * status 2; anything else is a bug and keeps its stack trace.
   */
  private static int reportFailure(Exception e, CommandLine cl, ParseResult parsed) {
    String message = userError(e);
    if (message == null) {
      e.printStackTrace(cl.getErr());
      return cl.getCommandSpec().exitCodeOnExecutionException();
    }
    cl.getErr().println(cl.getCommandSpec().qualifiedName() + ": " + oneLine(message));
    return cl.getCommandSpec().exitCodeOnInvalidInput();
  }

  /**
   * Returns what to tell the user when {@code e} comes from their input, or null for a bug. The
   * toolkit throws {@link IllegalArgumentException} for invalid settings and missing model or data
   * folders, {@link UnsupportedOperationException} for what a setting cannot do, and I/O exceptions
   * for paths it cannot read or write.
   */
  static String userError(Throwable e) {
    if ((e instanceof IllegalArgumentException || e instanceof UnsupportedOperationException)
        && e.getMessage() != null) {
      return e.getMessage();
    }
    if (e instanceof UncheckedIOException u) {
      String cause = describe(u.getCause());
      // new UncheckedIOException(cause) has the cause's toString as message, which says less.
      boolean bare = u.getMessage() == null || u.getMessage().equals(u.getCause().toString());
      return bare ? cause : u.getMessage() + ": " + cause;
    }
    if (e instanceof IOException io) {
      return describe(io);
    }
    return null;
  }

  /** A file-system exception's message is only the path; its class says what went wrong. */
  private static String describe(IOException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    return e instanceof FileSystemException
        ? e.getClass().getSimpleName() + ": " + message
        : message;
  }

  private static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
