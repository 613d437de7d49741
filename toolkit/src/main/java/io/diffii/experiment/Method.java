package io.diffii.experiment;

/** The compared ways of training a downstream classifier. */
public enum Method {
  /** Real images only. */
  ORIGINAL("Original"),
  /** Real images mixed with Diff-II's synthetic images by the replacement probability. */
  DIFF_II("Diff-II");

  private final String label;

  Method(String label) {
    this.label = label;
  }

  /** Returns the name the tables use. */
  public String label() {
    return label;
  }

  /**
   * Returns the method named {@code name} (its label or constant, any case), with a clear error
   * otherwise.
   */
  public static Method of(String name) {
    for (Method m : values()) {
      if (m.label.equalsIgnoreCase(name.strip()) || m.name().equalsIgnoreCase(name.strip())) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown method " + name + "; use original or diff-ii");
  }
}
