package io.diffii.data;

import io.diffii.data.TextLines.Line;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * FGVC-Aircraft in its published layout, at the variant level (100 classes): {@code
 * data/images_variant_train.txt}, {@code …_val.txt} and {@code …_test.txt}, lines "{@code <image
 * id> <variant name>}" (the name may hold spaces, e.g. "Cessna 172"), images at {@code
 * data/images/<image id>.jpg}. Classes are the variant names of the three files in sorted order.
 * The images keep their 20-pixel copyright banner at the bottom.
 */
public final class FgvcAircraft {

  private static final String NAME = "FGVC-Aircraft";
  private static final List<String> PARTS = List.of("train", "val", "test");

  private FgvcAircraft() {}

  /** Reads the train, val and test parts under {@code root} (the folder holding {@code data/}). */
  public static Split read(Path root) {
    Path data = root.resolve("data");
    List<List<Line>> listings = new ArrayList<>();
    TreeSet<String> variants = new TreeSet<>();
    for (String part : PARTS) {
      List<Line> lines = TextLines.read(data.resolve("images_variant_" + part + ".txt"), NAME);
      lines.forEach(
          line -> variants.add(line.fields(2, "\"<image id> <variant name>\"")[1].strip()));
      listings.add(lines);
    }
    List<String> classes = List.copyOf(variants);
    List<ImageDataset> parts = listings.stream().map(lines -> part(data, lines, classes)).toList();
    return new Split(parts.get(0), parts.get(1), parts.get(2));
  }

  private static ImageDataset part(Path data, List<Line> lines, List<String> classes) {
    List<Sample> samples = new ArrayList<>();
    for (Line line : lines) {
      String[] f = line.fields(2, "\"<image id> <variant name>\"");
      Path file = TextLines.requireImage(line, data.resolve("images").resolve(f[0] + ".jpg"));
      samples.add(ImageFolder.fileSample(f[0], classes.indexOf(f[1].strip()), Map.of(), file));
    }
    return new ImageDataset(classes, samples);
  }
}
