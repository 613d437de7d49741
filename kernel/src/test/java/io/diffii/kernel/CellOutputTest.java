package io.diffii.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CellOutputTest {

  /** Jupyter's side of a stream: what arrived, and how many messages (flushes) carried it. */
  private static final class Jupyter extends PrintStream {
    final ByteArrayOutputStream received;
    int messages;

    Jupyter() {
      this(new ByteArrayOutputStream());
    }

    private Jupyter(ByteArrayOutputStream received) {
      super(received, false, StandardCharsets.UTF_8);
      this.received = received;
    }

    @Override
    public void flush() {
      messages++;
      super.flush();
    }

    String text() {
      return received.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void manyPrintlnsGoOutInAFewBatches() {
    Jupyter out = new Jupyter();
    Jupyter err = new Jupyter();
    try (CellOutput cell = new CellOutput(out, err, CellOutput.DEFAULT_LIMIT)) {
      for (int i = 0; i < 5_000; i++) {
        cell.out().println("line " + i);
      }
      cell.err().print("warning");
    }
    assertTrue(out.text().startsWith("line 0\nline 1\n"));
    assertTrue(out.text().endsWith("line 4999\n"));
    assertEquals("warning", err.text());
    assertTrue(out.messages < 10, out.messages + " messages for 5,000 lines");
  }

  @Test
  void outputBeyondTheLimitIsDroppedWithANote() {
    Jupyter out = new Jupyter();
    Jupyter err = new Jupyter();
    try (CellOutput cell = new CellOutput(out, err, 1000)) {
      for (int i = 0; i < 100; i++) {
        cell.out().print("é".repeat(50)); // 100 bytes each
      }
      assertEquals(9000, cell.dropped());
    }
    assertEquals(1000, out.received.size());
    assertFalse(out.text().contains("\uFFFD"), "the cut falls between characters");
    assertTrue(err.text().contains("more than 1,000 bytes; the rest is dropped"), err.text());
    assertTrue(err.text().contains("9,000 of the cell's 10,000 bytes were not shown"), err.text());
  }

  @Test
  void aPauseSendsWhatWasPrintedWhileTheCellStillRuns() throws Exception {
    Jupyter out = new Jupyter();
    try (CellOutput cell = new CellOutput(out, new Jupyter(), CellOutput.DEFAULT_LIMIT)) {
      cell.out().print("progress 1/3");
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (out.received.size() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals("progress 1/3", out.text());
    }
  }

  @Test
  void aCharacterSplitAcrossWritesIsSentWhole() {
    Jupyter out = new Jupyter();
    byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
    try (CellOutput cell = new CellOutput(out, new Jupyter(), CellOutput.DEFAULT_LIMIT)) {
      cell.out().write(euro, 0, 1);
      cell.flush();
      assertEquals(0, out.received.size(), "half a character waits for the rest");
      cell.out().write(euro, 1, 2);
    }
    assertEquals("€", out.text());
  }

  @Test
  void utf8BoundaryNeverEndsInsideACharacter() {
    byte[] bytes = "aé€😀".getBytes(StandardCharsets.UTF_8); // 1 + 2 + 3 + 4 bytes
    int[] expected = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10};
    for (int n = 0; n <= bytes.length; n++) {
      assertEquals(expected[n], CellOutput.utf8Boundary(bytes, 0, n), "length " + n);
    }
  }
}
