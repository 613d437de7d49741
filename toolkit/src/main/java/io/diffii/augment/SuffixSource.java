package io.diffii.augment;

import io.diffii.data.ImageDataset;
import io.diffii.data.Sample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The scene suffixes that the first denoising stage appends to the plain concept prompt ("a photo
 * of a [V] top" + " " + "in the snow"). Built from a list, a file (one suffix a line, '#'
 * comments), or a dataset's captions through a {@link Captioner} and a {@link Summarizer}.
 */
public final class SuffixSource {

  /** The paper's limit on the number of suffixes. */
  public static final int MAX_SUFFIXES = 10;

  private final List<String> suffixes;

  private SuffixSource(List<String> suffixes) {
    if (suffixes.isEmpty()) {
      throw new IllegalArgumentException("a suffix source needs at least one suffix");
    }
    for (String s : suffixes) {
      if (s.isBlank()) {
        throw new IllegalArgumentException("blank suffix in " + suffixes);
      }
    }
    this.suffixes = List.copyOf(suffixes);
  }

  /** Returns a source over the given suffixes. */
  public static SuffixSource of(List<String> suffixes) {
    return new SuffixSource(suffixes.stream().map(String::strip).toList());
  }

  /** Reads suffixes from a text file, one a line; blank lines and '#' comments are skipped. */
  public static SuffixSource fromFile(Path file) {
    try {
      List<String> lines = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        String s = line.strip();
        if (!s.isEmpty() && !s.startsWith("#")) {
          lines.add(s);
        }
      }
      if (lines.isEmpty()) {
        throw new IllegalArgumentException("suffix file " + file + " has no suffix");
      }
      return new SuffixSource(lines);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read suffix file " + file, e);
    }
  }

  /** Captions every sample of {@code dataset} and summarises the captions into suffixes. */
  public static SuffixSource fromCaptions(
      ImageDataset dataset, Captioner captioner, Summarizer summarizer) {
    List<String> captions = new ArrayList<>(dataset.size());
    for (Sample s : dataset.samples()) {
      captions.add(captioner.caption(s));
    }
    return new SuffixSource(summarizer.summarize(captions, MAX_SUFFIXES));
  }

  /**
   * The embedded summariser: keeps the most frequent distinct captions (ties in first-seen order),
   * at most {@code max} of them. Suited to captioners that name a scene's context in a phrase.
   */
  public static Summarizer mostFrequent() {
    return (captions, max) -> {
      Map<String, Integer> counts = new LinkedHashMap<>();
      for (String c : captions) {
        if (!c.isBlank()) {
          counts.merge(c.strip(), 1, Integer::sum);
        }
      }
      List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
      entries.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()));
      return entries.stream().limit(max).map(Map.Entry::getKey).toList();
    };
  }

  /** Returns the suffixes. */
  public List<String> suffixes() {
    return Collections.unmodifiableList(suffixes);
  }

  /** Draws one suffix uniformly. */
  public String draw(Random random) {
    return suffixes.get(random.nextInt(suffixes.size()));
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    return "SuffixSource" + suffixes;
  }
}
