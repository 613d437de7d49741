package io.diffii.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of a data set. A data set without a validation part has an empty {@code val} with the
 * same classes.
 *
 * @param train training part
 * @param val validation part, possibly empty
 * @param test test part
 */
public record Split(ImageDataset train, ImageDataset val, ImageDataset test) {

  /** Checks that the three parts share their class names. */
  public Split {
    for (var part : List.of(Map.entry("val", val), Map.entry("test", test))) {
      List<String> other = part.getValue().classNames();
      if (!train.classNames().equals(other)) {
        List<String> onlyTrain = new ArrayList<>(train.classNames());
        onlyTrain.removeAll(other);
        List<String> onlyOther = new ArrayList<>(other);
        onlyOther.removeAll(train.classNames());
        throw new IllegalArgumentException(
            "train and "
                + part.getKey()
                + " have other classes: only in train "
                + onlyTrain
                + ", only in "
                + part.getKey()
                + " "
                + onlyOther
                + (onlyTrain.isEmpty() && onlyOther.isEmpty() ? " (the order differs)" : ""));
      }
    }
  }

  /** Returns a split without validation part. */
  public static Split of(ImageDataset train, ImageDataset test) {
    return new Split(train, ImageDataset.empty(train.classNames()), test);
  }
}
