package io.diffii.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The ImageFolder layout of torchvision: {@code root/<class>/<file>} (files may sit in
 * sub-folders), classes in sorted folder-name order. Image files end in {@code .png}, {@code .jpg},
 * {@code .jpeg} or {@code .bmp} (any case); hidden files are ignored. A sample's id is its path
 * relative to its class folder, without extension. Stanford Cars and Flowers-102 are read this way,
 * after converting their MATLAB label files to class folders.
 */
public final class ImageFolder {

  private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp");

  private ImageFolder() {}

  /** Reads the tree under {@code root}; classes are the sub-folder names in sorted order. */
  public static ImageDataset read(Path root) {
    requireFolder(root);
    List<String> classes;
    try (Stream<Path> children = Files.list(root)) {
      classes =
          children
              .filter(Files::isDirectory)
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.startsWith("."))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list ImageFolder root " + root, e);
    }
    if (classes.isEmpty()) {
      throw new IllegalArgumentException("ImageFolder root " + root + " has no class folders");
    }
    return read(root, classes);
  }

  /**
   * Reads the tree under {@code root} with the given classes, label {@code c} from folder {@link
   * #folderName}{@code (classNames.get(c))}; a missing or empty class folder is an error, and so is
   * a folder that is not one of the classes.
   */
  public static ImageDataset read(Path root, List<String> classNames) {
    requireFolder(root);
    Set<String> expected = new HashSet<>();
    classNames.forEach(name -> expected.add(folderName(name)));
    checkNoStrayFolders(root, expected);
    List<Sample> samples = new ArrayList<>();
    for (int label = 0; label < classNames.size(); label++) {
      Path folder = root.resolve(folderName(classNames.get(label)));
      List<Path> files = imageFiles(folder);
      if (files.isEmpty()) {
        throw new IllegalArgumentException(
            "class folder " + folder + " has no image (expected .png, .jpg, .jpeg or .bmp files)");
      }
      for (Path file : files) {
        samples.add(fileSample(idOf(folder.relativize(file)), label, Map.of(), file));
      }
    }
    return new ImageDataset(classNames, samples);
  }

  /**
   * Writes every sample as {@code root/<folderName(class)>/<id>.png}, creating all class folders,
   * even empty ones; existing files are replaced.
   */
  public static void write(ImageDataset dataset, Path root) {
    Set<Path> written = new HashSet<>();
    for (String name : dataset.classNames()) {
      createFolder(root.resolve(folderName(name)));
    }
    for (Sample s : dataset.samples()) {
      Path file =
          root.resolve(folderName(dataset.classNames().get(s.label()))).resolve(s.id() + ".png");
      if (!written.add(file.normalize())) {
        throw new IllegalArgumentException("two samples of one class share the id " + s.id());
      }
      s.image().writePng(file);
    }
  }

  /** Returns the folder name of a class: the name with {@code / \ : * ? " < > |} made {@code _}. */
  public static String folderName(String className) {
    String name = className.replaceAll("[/\\\\:*?\"<>|\\p{Cntrl}]", "_");
    if (name.isBlank() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(
          "class name \"" + className + "\" cannot be a folder name");
    }
    return name;
  }

  /** Returns a sample whose image is read from {@code file} when asked. */
  static Sample fileSample(String id, int label, Map<String, String> attributes, Path file) {
    return new Sample(id, label, attributes, () -> RgbImage.read(file));
  }

  /** Returns a path without its extension, with {@code /} separators. */
  static String idOf(Path relative) {
    String path = relative.toString().replace('\\', '/');
    int dot = path.lastIndexOf('.');
    return dot > path.lastIndexOf('/') + 1 ? path.substring(0, dot) : path;
  }

  private static List<Path> imageFiles(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("class folder " + folder + " does not exist");
    }
    try (Stream<Path> files = Files.walk(folder)) {
      return files
          .filter(Files::isRegularFile)
          .filter(ImageFolder::isImage)
          .sorted(
              (a, b) -> folder.relativize(a).toString().compareTo(folder.relativize(b).toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list class folder " + folder, e);
    }
  }

  private static boolean isImage(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return !name.startsWith(".") && EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  private static void checkNoStrayFolders(Path root, Set<String> expected) {
    try (Stream<Path> children = Files.list(root)) {
      children
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.startsWith(".") && !expected.contains(n))
          .sorted()
          .findFirst()
          .ifPresent(
              n -> {
                throw new IllegalArgumentException(
                    "folder "
                        + root.resolve(n)
                        + " is not one of the "
                        + expected.size()
                        + " classes");
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list ImageFolder root " + root, e);
    }
  }

  private static void requireFolder(Path root) {
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("ImageFolder root " + root + " is not a folder");
    }
  }

  private static void createFolder(Path folder) {
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create folder " + folder, e);
    }
  }
}
