package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffii.TestFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

  private static Tokenizer clip;

  @TempDir Path dir;

  @BeforeAll
  static void loadClip() {
    clip = Tokenizer.load(TestFixtures.path("clip-tokenizer"));
  }

  @Test
  void clipIdsEqualTheReferenceTokenizersOnEveryFixtureCase() throws Exception {
    JsonObject cases =
        JsonParser.parseString(
                Files.readString(TestFixtures.path("clip-tokenizer/token_cases.json")))
            .getAsJsonObject();
    int checked = 0;
    for (JsonElement c : cases.getAsJsonArray("cases")) {
      String text = c.getAsJsonObject().get("text").getAsString();
      long[] expected =
          c.getAsJsonObject().getAsJsonArray("ids").asList().stream()
              .mapToLong(JsonElement::getAsLong)
              .toArray();
      assertArrayEquals(expected, clip.encodeUnpadded(text), text);
      long[] padded = clip.encode(text);
      assertEquals(77, padded.length);
      assertArrayEquals(expected, Arrays.copyOf(padded, expected.length), text);
      for (int i = expected.length; i < 77; i++) {
        assertEquals(49407, padded[i]);
      }
      checked++;
    }
    assertTrue(checked > 0);
  }

  @Test
  void clipSplitsDigitsAndPunctuationAndCollapsesWhitespace() {
    assertArrayEquals(
        clip.encodeUnpadded("a photo of a cat"), clip.encodeUnpadded("  A   PHOTO\tof a\ncat "));
    long[] digits = clip.encodeUnpadded("1234");
    assertEquals(6, digits.length, "each digit is its own piece");
    assertEquals(clip.id("1</w>"), digits[1]);
    assertArrayEquals(
        new long[] {49406, clip.id("it</w>"), clip.id("'s</w>"), 49407},
        clip.encodeUnpadded("it's"));
  }

  @Test
  void longPromptsAreTruncatedWithTheEndTokenLast() {
    long[] ids = clip.encode("word ".repeat(200));
    assertEquals(77, ids.length);
    assertEquals(49406, ids[0]);
    assertEquals(49407, ids[76]);
  }

  @Test
  void placeholdersMapToIdsAfterTheVocabularyInBothForms() throws Exception {
    Tokenizer words = Tokenizer.wordLevel(List.of("a", "photo", "of", "dress"), 16);
    for (Tokenizer t : List.of(clip, words)) {
      int base = t.baseVocabSize();
      List<Long> single = t.addPlaceholder("<item-3>", 1);
      List<Long> triple = t.addPlaceholder("<item-7>", 3);
      assertEquals(List.of((long) base), single);
      assertEquals(List.of(base + 1L, base + 2L, base + 3L), triple);
      long[] a = t.encodeUnpadded("a photo of a <item-3> dress");
      long[] plain = t.encodeUnpadded("a photo of a dress");
      assertEquals(plain.length + 1, a.length);
      assertEquals(base, a[5]);
      long[] b = t.encodeUnpadded("a photo of a <item-7> dress");
      assertArrayEquals(new long[] {base + 1, base + 2, base + 3}, Arrays.copyOfRange(b, 5, 8));
      assertEquals(base + 4, t.vocabSize());
    }
  }

  @Test
  void wordLevelRoundTripsThroughItsFilesAndMapsUnknownWords() {
    Tokenizer t = Tokenizer.wordLevel(List.of("a", "photo", "of", "top", "in", "the", "snow"), 16);
    t.save(dir);
    Tokenizer back = Tokenizer.load(dir);
    assertArrayEquals(
        t.encode("a photo of a top in the snow"), back.encode("A photo of a TOP in the snow"));
    assertEquals(16, back.maxLength());
    long[] unknown = back.encodeUnpadded("a zebra");
    assertEquals(back.id("<|unk|>"), unknown[2]);
  }

  @Test
  void missingFilesAreClearErrors() {
    var e = assertThrows(IllegalArgumentException.class, () -> Tokenizer.load(dir));
    assertTrue(e.getMessage().contains("vocab.json"), e.getMessage());
  }
}
