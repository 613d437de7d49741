package io.diffii.augment;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import io.diffii.data.ImageDataset;
import io.diffii.data.RgbImage;
import io.diffii.io.AtomicFiles;
import io.diffii.notebook.ImageGrid;
import io.diffii.notebook.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A folder of synthetic images: an ImageFolder tree and its {@code manifest.jsonl} (one JSON object
 * a line: class, label, index, source image ids, start latent kind, θ, λ, prompt, suffix, seed,
 * file, and the hash of the run's settings, whose values are in the run folder's {@code
 * settings.json}; the baselines add method, source and target classes, strength and soft label).
 * Only images with a manifest line count, so a folder a stopped run left behind is read as exactly
 * what was finished.
 */
public final class SyntheticSet {

  private final Path dir;
  private final List<String> classNames;
  private final List<JsonObject> records;

  private SyntheticSet(Path dir, List<String> classNames, List<JsonObject> records) {
    this.dir = dir;
    this.classNames = List.copyOf(classNames);
    this.records = List.copyOf(records);
  }

  /** Reads the synthetic folder {@code dir} made for {@code classNames}. */
  public static SyntheticSet read(Path dir, List<String> classNames) {
    if (!Files.isRegularFile(dir.resolve(DiffII.MANIFEST))) {
      throw new IllegalArgumentException("no " + DiffII.MANIFEST + " in " + dir.toAbsolutePath());
    }
    return new SyntheticSet(dir, classNames, new ArrayList<>(readManifest(dir, false).values()));
  }

  /**
   * Returns the manifest's records by "label/index", keeping only complete lines whose image
   * exists; with {@code repair}, rewrites the manifest without the others (a line cut short when a
   * run was killed), so that appending can continue.
   */
  static Map<String, JsonObject> readManifest(Path dir, boolean repair) {
    Path file = dir.resolve(DiffII.MANIFEST);
    Map<String, JsonObject> records = new LinkedHashMap<>();
    if (!Files.isRegularFile(file)) {
      return records;
    }
    try {
      List<String> lines = Files.readAllLines(file);
      List<String> kept = new ArrayList<>();
      for (String line : lines) {
        JsonObject o = parse(line);
        if (o == null
            || !o.has("file")
            || !o.has("label")
            || !o.has("index")
            || !Files.isRegularFile(dir.resolve(o.get("file").getAsString()))) {
          continue;
        }
        String key = o.get("label").getAsInt() + "/" + o.get("index").getAsInt();
        if (records.putIfAbsent(key, o) == null) {
          kept.add(line);
        }
      }
      if (repair && kept.size() != lines.size()) {
        AtomicFiles.write(file, "repaired manifest", tmp -> Files.write(tmp, kept));
      }
      return records;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static JsonObject parse(String line) {
    try {
      return line.isBlank() ? null : new Gson().fromJson(line, JsonObject.class);
    } catch (JsonParseException e) {
      return null;
    }
  }

  /** Returns the folder. */
  public Path dir() {
    return dir;
  }

  /** Returns the number of images. */
  public int size() {
    return records.size();
  }

  /** Returns the manifest records in manifest order. */
  public List<JsonObject> records() {
    return records;
  }

  /** Returns the image of record {@code i}. */
  public RgbImage image(int i) {
    return RgbImage.read(dir.resolve(records.get(i).get("file").getAsString()));
  }

  /**
   * Returns the first {@code n} images of class {@code label} in manifest order (fewer if short).
   */
  public List<RgbImage> imagesOf(int label, int n) {
    List<RgbImage> images = new ArrayList<>();
    for (int i = 0; i < records.size() && images.size() < n; i++) {
      if (records.get(i).get("label").getAsInt() == label) {
        images.add(image(i));
      }
    }
    return images;
  }

  /**
   * Returns the soft label of record {@code i} (a distribution over the classes, as the baselines
   * write it), or null when the record has none (Diff-II: one-hot on its class).
   */
  public float[] softLabel(int i) {
    JsonObject r = records.get(i);
    if (!r.has("soft_label")) {
      return null;
    }
    var array = r.getAsJsonArray("soft_label");
    float[] y = new float[array.size()];
    for (int c = 0; c < y.length; c++) {
      y[c] = array.get(c).getAsFloat();
    }
    return y;
  }

  /**
   * Returns the images of every class as CHW arrays in [0, 1], all loaded into memory: for sets of
   * small images (the embedded 32-px scale, its metrics). A trainer draws from a set of any size
   * through {@code io.diffii.classify.SyntheticPool#streamed}, which reads each image when drawn.
   */
  public Map<Integer, List<float[]>> byClass() {
    Map<Integer, List<float[]>> out = new LinkedHashMap<>();
    for (int i = 0; i < records.size(); i++) {
      out.computeIfAbsent(records.get(i).get("label").getAsInt(), k -> new ArrayList<>())
          .add(image(i).data());
    }
    return out;
  }

  /**
   * Returns a grid with one row per class: up to {@code realPerClass} real images of {@code real}
   * on the left, then up to {@code syntheticPerClass} synthetic ones, headed by the method's name.
   */
  public ImageGrid besideReal(ImageDataset real, int realPerClass, int syntheticPerClass) {
    return besideReal(
        real,
        realPerClass,
        syntheticPerClass,
        java.util.stream.IntStream.range(0, classNames.size()).boxed().toList());
  }

  /**
   * Returns the grid of {@link #besideReal(ImageDataset, int, int)} with one row per class of
   * {@code classes}, in that order (the rarest classes of a long-tailed set first, say).
   */
  public ImageGrid besideReal(
      ImageDataset real, int realPerClass, int syntheticPerClass, List<Integer> classes) {
    List<List<BufferedImage>> rows = new ArrayList<>();
    for (int c : classes) {
      List<BufferedImage> row = new ArrayList<>();
      for (int i = 0; i < real.size() && row.size() < realPerClass; i++) {
        if (real.label(i) == c) {
          row.add(real.image(i).toBufferedImage());
        }
      }
      while (row.size() < realPerClass) {
        row.add(blank(real.image(0)));
      }
      imagesOf(c, syntheticPerClass).forEach(image -> row.add(image.toBufferedImage()));
      while (row.size() < realPerClass + syntheticPerClass) {
        row.add(blank(real.image(0)));
      }
      rows.add(row);
    }
    // Baselines name their method in every line; Diff-II's lines predate the field.
    String method =
        records.isEmpty() || !records.get(0).has("method")
            ? "Diff-II"
            : records.get(0).get("method").getAsString();
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < realPerClass + syntheticPerClass; i++) {
      columns.add(i < realPerClass ? "real" : method);
    }
    return ImageGrid.of(rows)
        .withRowLabels(classes.stream().map(classNames::get).toList())
        .withColumnLabels(columns);
  }

  private static BufferedImage blank(RgbImage like) {
    return Images.fromChw(new float[like.data().length], 3, like.height(), like.width());
  }

  /** Returns the class names. */
  public List<String> classNames() {
    return Collections.unmodifiableList(classNames);
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    int[] counts = new int[classNames.size()];
    records.forEach(r -> counts[r.get("label").getAsInt()]++);
    return String.format(
        Locale.ROOT,
        "SyntheticSet(%d images in %s, per class %s)",
        size(),
        dir,
        java.util.Arrays.toString(counts));
  }
}
