package io.diffii.nn;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: a full collection, after which unreachable direct buffers have been freed, and the
 * freed native memory is likely reused and filled with NaN bytes, so that a read of freed memory
 * shows instead of returning the old values by luck.
 */
public final class GarbageCollection {

  private static final List<ByteBuffer> POISON = new ArrayList<>();

  private GarbageCollection() {}

  /**
   * Collects garbage a few times, pausing so that buffer cleaners run, then poisons freed memory.
   */
  public static synchronized void collect() {
    POISON.clear();
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    for (int size = 1; size <= 1 << 16; size <<= 1) {
      for (int n = 0; n < 64; n++) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        while (b.hasRemaining()) {
          b.put((byte) 0xFF);
        }
        POISON.add(b);
      }
    }
  }
}
