package io.diffii.cli;

/** The value of an on/off switch. */
enum OnOff {
  /** Switched on. */
  ON,
  /** Switched off. */
  OFF;

  /** Returns whether the switch is on. */
  boolean on() {
    return this == ON;
  }
}
