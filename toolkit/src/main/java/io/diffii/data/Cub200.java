package io.diffii.data;

import io.diffii.data.TextLines.Line;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CUB-200-2011 in its published layout: {@code classes.txt} ("class_id name", ids 1…200 in order),
 * {@code images.txt} ("image_id relative/path.jpg" under {@code images/}), {@code
 * image_class_labels.txt} ("image_id class_id") and {@code train_test_split.txt} ("image_id 1" for
 * train, "0" for test). Class names are kept as written ({@code 001.Black_footed_Albatross}).
 */
public final class Cub200 {

  private static final String NAME = "CUB-200-2011";

  private Cub200() {}

  /** Reads the train and test parts under {@code root} (the folder holding {@code images.txt}). */
  public static Split read(Path root) {
    List<String> classes = classNames(TextLines.read(root.resolve("classes.txt"), NAME));
    Map<Integer, Line> images = byImageId(TextLines.read(root.resolve("images.txt"), NAME));
    Map<Integer, Integer> labels =
        column(root.resolve("image_class_labels.txt"), images, "class id", 1, classes.size());
    Map<Integer, Integer> isTrain =
        column(root.resolve("train_test_split.txt"), images, "is_training_image", 0, 1);
    List<Sample> train = new ArrayList<>();
    List<Sample> test = new ArrayList<>();
    images.forEach(
        (imageId, line) -> {
          String path = line.fields(2, "\"<image id> <path>\"")[1];
          Path file = TextLines.requireImage(line, root.resolve("images").resolve(path));
          String id = ImageFolder.idOf(file.getFileName());
          Sample s =
              ImageFolder.fileSample(
                  id,
                  labels.get(imageId) - 1,
                  Map.of(ImageDataset.IMAGE_ID, imageId.toString()),
                  file);
          (isTrain.get(imageId) == 1 ? train : test).add(s);
        });
    return Split.of(new ImageDataset(classes, train), new ImageDataset(classes, test));
  }

  private static List<String> classNames(List<Line> lines) {
    List<String> names = new ArrayList<>();
    for (Line line : lines) {
      String[] f = line.fields(2, "\"<class id> <class name>\"");
      if (line.integer(f[0], "class id") != names.size() + 1) {
        throw line.error("class ids must run 1, 2, 3, … in order; expected " + (names.size() + 1));
      }
      names.add(f[1]);
    }
    return names;
  }

  private static Map<Integer, Line> byImageId(List<Line> lines) {
    Map<Integer, Line> out = new LinkedHashMap<>();
    for (Line line : lines) {
      int id = line.integer(line.fields(2, "\"<image id> <path>\"")[0], "image id");
      if (out.put(id, line) != null) {
        throw line.error("image id " + id + " appears twice");
      }
    }
    return out;
  }

  /** Reads a "image_id value" file whose values lie in [min, max], one line per known image. */
  private static Map<Integer, Integer> column(
      Path file, Map<Integer, Line> images, String what, int min, int max) {
    Map<Integer, Integer> out = new HashMap<>();
    for (Line line : TextLines.read(file, NAME)) {
      String[] f = line.fields(2, "\"<image id> <" + what + ">\"");
      int id = line.integer(f[0], "image id");
      int value = line.integer(f[1], what);
      if (!images.containsKey(id)) {
        throw line.error("image id " + id + " is not in images.txt");
      }
      if (value < min || value > max) {
        throw line.error(what + " must be in " + min + ".." + max + ", got " + value);
      }
      out.put(id, value);
    }
    images.keySet().stream()
        .filter(id -> !out.containsKey(id))
        .findFirst()
        .ifPresent(
            id -> {
              throw new IllegalArgumentException(
                  file
                      + " has no line for image id "
                      + id
                      + " (images.txt line "
                      + images.get(id).number()
                      + ")");
            });
    return out;
  }
}
