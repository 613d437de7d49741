package io.diffii.embedded;

import io.diffii.data.CoarseGroup;
import io.diffii.data.Context;
import io.diffii.data.FashionMnist;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pretraining captions and the embedded tokenizer's vocabulary. Captions name only the coarse
 * group and the context; the vocabulary also holds the words of the fine class names, which the
 * model therefore can read but has never seen paired with an image (as Stable Diffusion can read a
 * bird species' name without knowing what it looks like).
 */
public final class Captions {

  /** The word split of the embedded tokenizer: runs of word characters, or of other non-space. */
  public static final Pattern WORDS = Pattern.compile("\\w+|[^\\w\\s]+");

  private Captions() {}

  /** Returns "a photo of a {coarse word}". */
  public static String coarseOnly(CoarseGroup coarse) {
    return "a photo of a " + coarse.word();
  }

  /** Returns "a photo of a {coarse word} {context phrase}". */
  public static String full(CoarseGroup coarse, Context context) {
    return coarseOnly(coarse) + " " + context.phrase();
  }

  /**
   * Draws a training caption: empty with probability {@code emptyRate} (so classifier-free guidance
   * has an unconditional branch), without context with probability {@code coarseRate}, else the
   * full caption.
   */
  public static String draw(
      CoarseGroup coarse, Context context, double emptyRate, double coarseRate, Random rng) {
    double u = rng.nextDouble();
    if (u < emptyRate) {
      return "";
    }
    return u < emptyRate + coarseRate ? coarseOnly(coarse) : full(coarse, context);
  }

  /** Returns the vocabulary: every word of every caption and of the fine class names, sorted. */
  public static List<String> vocabulary() {
    Set<String> words = new LinkedHashSet<>();
    for (CoarseGroup c : CoarseGroup.values()) {
      for (Context x : Context.values()) {
        addWords(full(c, x), words);
      }
    }
    for (String name : FashionMnist.CLASS_NAMES) {
      addWords(name, words);
    }
    List<String> sorted = new ArrayList<>(words);
    sorted.sort(null);
    return sorted;
  }

  private static void addWords(String text, Set<String> into) {
    Matcher m = WORDS.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      into.add(m.group());
    }
  }
}
