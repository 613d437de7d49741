package io.diffii.data;

import io.diffii.data.TextLines.Line;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Waterbirds in its published layout: {@code metadata.csv} with a header naming at least the
 * columns {@code img_filename,y,split,place} (any order, other columns ignored, no quoted fields),
 * images at {@code root/<img_filename>}. Split 0, 1, 2 is train, val, test. Labels are the fine
 * bird classes, taken from the class folder that begins {@code img_filename} ({@code
 * 001.Black_footed_Albatross/…}), in sorted order; {@code y} (0 landbird, 1 waterbird) and {@code
 * place} (0 land, 1 water) are kept as the attributes {@link ImageDataset#Y} and {@link
 * ImageDataset#PLACE}, which make the four (habitat, background) groups.
 */
public final class Waterbirds {

  private static final String NAME = "Waterbirds";
  private static final List<String> COLUMNS = List.of("img_filename", "y", "split", "place");

  private Waterbirds() {}

  /** Reads the train, val and test parts under {@code root} (the folder holding metadata.csv). */
  public static Split read(Path root) {
    List<Line> lines = TextLines.read(root.resolve("metadata.csv"), NAME);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(root.resolve("metadata.csv") + " is empty");
    }
    int[] at = columnPositions(lines.get(0));
    List<Line> rows = lines.subList(1, lines.size());
    List<String> classes = classNames(rows, at[0]);
    List<List<Sample>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (Line row : rows) {
      String[] f = cells(row, at);
      String filename = f[at[0]].strip();
      Path file = TextLines.requireImage(row, root.resolve(filename));
      Map<String, String> groups =
          Map.of(
              ImageDataset.Y,
              code(row, f[at[1]], "y"),
              ImageDataset.PLACE,
              code(row, f[at[3]], "place"));
      int split = row.integer(f[at[2]], "split");
      if (split < 0 || split > 2) {
        throw row.error("split must be 0 (train), 1 (val) or 2 (test), got " + split);
      }
      int label = classes.indexOf(classFolder(row, filename));
      parts
          .get(split)
          .add(ImageFolder.fileSample(ImageFolder.idOf(file.getFileName()), label, groups, file));
    }
    return new Split(
        new ImageDataset(classes, parts.get(0)),
        new ImageDataset(classes, parts.get(1)),
        new ImageDataset(classes, parts.get(2)));
  }

  /** Returns the positions of img_filename, y, split and place in the header. */
  private static int[] columnPositions(Line header) {
    List<String> names = Arrays.stream(header.text().split(",", -1)).map(String::strip).toList();
    int[] at = new int[COLUMNS.size()];
    for (int i = 0; i < at.length; i++) {
      at[i] = names.indexOf(COLUMNS.get(i));
      if (at[i] < 0) {
        throw header.error(
            "header must name the columns "
                + String.join(",", COLUMNS)
                + "; \""
                + COLUMNS.get(i)
                + "\" is missing");
      }
    }
    return at;
  }

  private static String[] cells(Line row, int[] at) {
    String[] f = row.text().split(",", -1);
    int needed = Arrays.stream(at).max().orElseThrow() + 1;
    if (f.length < needed) {
      throw row.error("expected at least " + needed + " comma-separated fields, got " + f.length);
    }
    return f;
  }

  private static List<String> classNames(List<Line> rows, int filenameAt) {
    TreeSet<String> names = new TreeSet<>();
    for (Line row : rows) {
      String[] f = row.text().split(",", -1);
      if (f.length > filenameAt) {
        names.add(classFolder(row, f[filenameAt].strip()));
      }
    }
    return List.copyOf(names);
  }

  private static String classFolder(Line row, String filename) {
    int slash = filename.indexOf('/');
    if (slash <= 0) {
      throw row.error("img_filename must be \"<class folder>/<file>\", got \"" + filename + "\"");
    }
    return filename.substring(0, slash);
  }

  private static String code(Line row, String value, String column) {
    String v = value.strip();
    if (!v.equals("0") && !v.equals("1")) {
      throw row.error(column + " must be 0 or 1, got \"" + value + "\"");
    }
    return v;
  }
}
