package io.diffii.data;

import io.diffii.data.TextLines.Line;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Oxford-IIIT Pets in its published layout: {@code annotations/trainval.txt} and {@code
 * annotations/test.txt}, lines "{@code <image> <class id> <species> <breed id>}" (class id 1…37,
 * species 1 cat, 2 dog; lines starting with {@code #} are comments), images at {@code
 * images/<image>.jpg}. The class name is the image name without its trailing {@code _<number>}
 * ({@code american_bulldog_100} → {@code american_bulldog}); label = class id − 1. The species is
 * kept as the attribute {@link ImageDataset#SPECIES} ("cat" or "dog").
 */
public final class OxfordPets {

  private static final String NAME = "Oxford-IIIT Pets";
  private static final String EXPECTED = "\"<image> <class id> <species> <breed id>\"";

  private OxfordPets() {}

  /** Reads the trainval (as train) and test parts under {@code root}. */
  public static Split read(Path root) {
    List<Line> trainval = TextLines.read(root.resolve("annotations").resolve("trainval.txt"), NAME);
    List<Line> test = TextLines.read(root.resolve("annotations").resolve("test.txt"), NAME);
    TreeMap<Integer, String> names = new TreeMap<>();
    trainval.forEach(line -> collectName(line, names));
    test.forEach(line -> collectName(line, names));
    List<String> classes = classList(names, root);
    return Split.of(part(root, trainval, classes), part(root, test, classes));
  }

  private static void collectName(Line line, Map<Integer, String> names) {
    String[] f = line.fields(4, EXPECTED);
    int classId = line.integer(f[1], "class id");
    if (classId < 1) {
      throw line.error("class id must be at least 1, got " + classId);
    }
    String name = className(line, f[0]);
    String known = names.putIfAbsent(classId, name);
    if (known != null && !known.equals(name)) {
      throw line.error(
          "class id " + classId + " was " + known + " on an earlier line, here " + name);
    }
  }

  private static List<String> classList(TreeMap<Integer, String> names, Path root) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException(
          root.resolve("annotations") + ": trainval.txt and test.txt list no image");
    }
    List<String> classes = new ArrayList<>();
    for (int id = 1; id <= names.lastKey(); id++) {
      if (!names.containsKey(id)) {
        throw new IllegalArgumentException(
            root.resolve("annotations")
                + ": no image of class id "
                + id
                + " in trainval.txt or test.txt");
      }
      classes.add(names.get(id));
    }
    return classes;
  }

  private static ImageDataset part(Path root, List<Line> lines, List<String> classes) {
    List<Sample> samples = new ArrayList<>();
    for (Line line : lines) {
      String[] f = line.fields(4, EXPECTED);
      String species =
          switch (f[2]) {
            case "1" -> "cat";
            case "2" -> "dog";
            default -> throw line.error("species must be 1 (cat) or 2 (dog), got \"" + f[2] + "\"");
          };
      Path file = TextLines.requireImage(line, root.resolve("images").resolve(f[0] + ".jpg"));
      int label = line.integer(f[1], "class id") - 1;
      samples.add(ImageFolder.fileSample(f[0], label, Map.of(ImageDataset.SPECIES, species), file));
    }
    return new ImageDataset(classes, samples);
  }

  private static String className(Line line, String image) {
    int underscore = image.lastIndexOf('_');
    if (underscore <= 0 || !image.substring(underscore + 1).matches("\\d+")) {
      throw line.error("image name must end in _<number>, got \"" + image + "\"");
    }
    return image.substring(0, underscore);
  }
}
