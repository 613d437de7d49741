package io.diffii.data;

import java.util.Arrays;
import java.util.List;

/**
 * The two habitats of the out-of-distribution benchmark, coded as in the Waterbirds metadata
 * ({@code y} and {@code place}: 0 land, 1 water).
 */
public enum Habitat {
  /** Land, code 0. */
  LAND,
  /** Water, code 1. */
  WATER;

  /** Returns the Waterbirds code: 0 for land, 1 for water. */
  public int code() {
    return ordinal();
  }

  /** Returns the habitat of a Waterbirds code ("0" or "1"). */
  public static Habitat ofCode(String code) {
    return switch (code.strip()) {
      case "0" -> LAND;
      case "1" -> WATER;
      default -> throw new IllegalArgumentException("habitat code must be 0 or 1, got " + code);
    };
  }

  /** Returns the other habitat. */
  public Habitat other() {
    return this == LAND ? WATER : LAND;
  }

  /** Returns the scene contexts whose background belongs to this habitat. */
  public List<Context> contexts() {
    return Arrays.stream(Context.values()).filter(c -> c.habitat() == this).toList();
  }
}
