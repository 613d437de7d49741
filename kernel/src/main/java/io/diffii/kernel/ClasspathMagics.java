package io.diffii.kernel;

import io.github.spencerpark.jupyter.kernel.magic.registry.LineMagic;
import io.github.spencerpark.jupyter.kernel.util.GlobFinder;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * IJava's classpath magics: {@code %classpath} adds directories or jars, {@code %jars} adds jar
 * files; both take glob patterns such as {@code lib/*.jar}. Each addition reaches both the compiler
 * and the class loader of later cells. Public because the magics registry calls it reflectively.
 */
public final class ClasspathMagics {

  private final Consumer<String> addToClasspath;

  /** Creates the magics, which hand each path they resolve to {@code addToClasspath}. */
  ClasspathMagics(Consumer<String> addToClasspath) {
    this.addToClasspath = addToClasspath;
  }

  /** Adds the directories and jars matching each pattern in {@code args}. */
  @LineMagic
  public void classpath(List<String> args) throws IOException {
    for (String pattern : patterns(args, "%classpath")) {
      addAll(pattern, matches(pattern, false), "a file or directory");
    }
  }

  /** Adds the jar files matching each pattern in {@code args}. */
  @LineMagic
  public void jars(List<String> args) throws IOException {
    for (String pattern : patterns(args, "%jars")) {
      List<Path> jars = new ArrayList<>();
      for (Path file : matches(pattern, true)) {
        if (file.getFileName().toString().endsWith(".jar")) {
          jars.add(file);
        }
      }
      addAll(pattern, jars, "a .jar file");
    }
  }

  private static List<String> patterns(List<String> args, String magic) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException(magic + " needs at least one path or glob pattern");
    }
    return args;
  }

  private static Iterable<Path> matches(String pattern, boolean filesOnly) throws IOException {
    GlobFinder finder = new GlobFinder(pattern);
    try {
      return filesOnly ? finder.computeMatchingFiles() : finder.computeMatchingPaths();
    } catch (NoSuchFileException e) {
      // A directory named in the pattern does not exist: nothing matches.
      return List.of();
    }
  }

  private void addAll(String pattern, Iterable<Path> matches, String expected) {
    int added = 0;
    for (Path path : matches) {
      addToClasspath.accept(path.toAbsolutePath().toString());
      added++;
    }
    if (added == 0) {
      throw new IllegalArgumentException(
          "nothing matches "
              + pattern
              + " (expected "
              + expected
              + "; relative paths start at "
              + Path.of("").toAbsolutePath()
              + ")");
    }
  }
}
