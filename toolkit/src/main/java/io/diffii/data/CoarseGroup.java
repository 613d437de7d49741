package io.diffii.data;

import java.util.Arrays;
import java.util.List;

/**
 * The coarse groups of the Fashion-MNIST classes, used in the pretraining captions so that the
 * embedded diffusion model learns the theme but not the fine classes (T-shirt vs shirt vs coat,
 * sandal vs sneaker vs ankle boot), which are left to concept learning. Dress and Bag are groups of
 * one, so for those two the coarse word is inevitably the class itself.
 */
public enum CoarseGroup {
  /** T-shirt/top, Pullover, Coat, Shirt. */
  TOP("top"),
  /** Trouser. */
  BOTTOM("bottom"),
  /** Dress. */
  DRESS("dress"),
  /** Sandal, Sneaker, Ankle boot. */
  FOOTWEAR("footwear"),
  /** Bag. */
  BAG("bag");

  /** Group of each Fashion-MNIST label 0–9, in {@link FashionMnist#CLASS_NAMES} order. */
  private static final CoarseGroup[] OF_FASHION = {
    TOP, BOTTOM, TOP, DRESS, TOP, FOOTWEAR, TOP, FOOTWEAR, BAG, FOOTWEAR
  };

  private final String word;

  CoarseGroup(String word) {
    this.word = word;
  }

  /** Returns the word used in captions ("top", "bottom", "dress", "footwear", "bag"). */
  public String word() {
    return word;
  }

  /** Returns the group of Fashion-MNIST label {@code fineLabel} (0–9). */
  public static CoarseGroup ofFashion(int fineLabel) {
    if (fineLabel < 0 || fineLabel >= OF_FASHION.length) {
      throw new IllegalArgumentException("Fashion-MNIST label must be 0..9, got " + fineLabel);
    }
    return OF_FASHION[fineLabel];
  }

  /** Returns the caption words of all groups, indexed by ordinal. */
  public static List<String> words() {
    return Arrays.stream(values()).map(CoarseGroup::word).toList();
  }
}
