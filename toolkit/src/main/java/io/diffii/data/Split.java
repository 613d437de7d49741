package io.diffii.data;

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
    if (!train.classNames().equals(val.classNames())
        || !train.classNames().equals(test.classNames())) {
      throw new IllegalArgumentException("train, val and test must have the same class names");
    }
  }

  /** Returns a split without validation part. */
  public static Split of(ImageDataset train, ImageDataset test) {
    return new Split(train, ImageDataset.empty(train.classNames()), test);
  }
}
