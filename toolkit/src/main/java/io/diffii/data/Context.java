package io.diffii.data;

/**
 * A scene context: the procedural background an item is placed on, the phrase that names it in a
 * caption, and the habitat its background counts as in the out-of-distribution benchmark (water and
 * beach count as water; grass, snow and night, a dark field under stars, count as land).
 */
public enum Context {
  /** Grass and soil. */
  LAND("on the grass", Habitat.LAND),
  /** Blue water with waves. */
  WATER("in the water", Habitat.WATER),
  /** Beige sand with ripples. */
  SAND("on the beach", Habitat.WATER),
  /** White and grey snow. */
  SNOW("in the snow", Habitat.LAND),
  /** Dark blue night with stars. */
  NIGHT("at night", Habitat.LAND);

  private final String phrase;
  private final Habitat habitat;

  Context(String phrase, Habitat habitat) {
    this.phrase = phrase;
    this.habitat = habitat;
  }

  /** Returns the caption phrase, e.g. "on the grass". */
  public String phrase() {
    return phrase;
  }

  /** Returns the habitat this background counts as. */
  public Habitat habitat() {
    return habitat;
  }
}
