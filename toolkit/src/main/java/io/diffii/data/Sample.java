package io.diffii.data;

import java.util.Map;
import java.util.function.Supplier;

/**
 * One labelled image of an {@link ImageDataset}. The image is produced on demand by {@code loader}
 * (read from a file, or composed from a seed), so a data set of many images costs little memory.
 *
 * @param id a name unique within its class, used as file name when exported (e.g. {@code
 *     train-00042} or a path relative to the class folder, without extension)
 * @param label class index into the data set's class names
 * @param attributes extra per-image values, e.g. Waterbirds {@code y} and {@code place}, or a
 *     scene's {@code context} and {@code caption} (see {@link ImageDataset} for the keys)
 * @param loader produces the image each time it is asked
 */
public record Sample(
    String id, int label, Map<String, String> attributes, Supplier<RgbImage> loader) {

  /** Checks the id and label and freezes the attributes. */
  public Sample {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("a sample needs a non-blank id");
    }
    if (label < 0) {
      throw new IllegalArgumentException("sample " + id + " has negative label " + label);
    }
    attributes = Map.copyOf(attributes);
  }

  /** Returns the image, loading or composing it now. */
  public RgbImage image() {
    return loader.get();
  }

  /** Returns attribute {@code key}, or an error naming the sample when it is absent. */
  public String attribute(String key) {
    String value = attributes.get(key);
    if (value == null) {
      throw new IllegalArgumentException("sample " + id + " has no attribute " + key);
    }
    return value;
  }
}
