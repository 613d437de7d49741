package io.diffii.nn;

/** Test helper: a full collection, after which unreachable direct buffers have been freed. */
public final class GarbageCollection {

  private GarbageCollection() {}

  /** Collects garbage a few times, pausing so that buffer cleaners run. */
  public static void collect() {
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
