package io.diffii.cli;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** Dispatches {@code diffii <command> [options]} to the command classes of this package. */
public final class Main {

  /** A command-line command: runs with its own options and returns an exit status. */
  interface Command {
    int run(Options options) throws Exception;
  }

  private static final Map<String, Command> COMMANDS = new TreeMap<>();

  static {
    COMMANDS.put("main", MainJob::run);
    COMMANDS.put("few-shot", FewShotCommand::run);
    COMMANDS.put("pretrain", PretrainCommand::run);
  }

  private Main() {}

  /** Runs the command named by the first argument. */
  public static void main(String[] args) throws Exception {
    if (args.length == 0 || !COMMANDS.containsKey(args[0])) {
      System.err.println("usage: diffii <command> [--option value ...]; commands: " + COMMANDS.keySet());
      System.exit(2);
    }
    Options options;
    try {
      options = Options.parse(Arrays.copyOfRange(args, 1, args.length));
    } catch (IllegalArgumentException e) {
      System.err.println("diffii " + args[0] + ": " + e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(COMMANDS.get(args[0]).run(options));
  }
}
