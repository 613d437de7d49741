package io.diffii.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.diffii.io.Safetensors;
import io.diffii.nn.Compute;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Textual-inversion concepts: learned token vectors that placeholders such as {@code <item-3>} put
 * into a prompt. All vectors live in one learnable matrix that the text encoder appends after its
 * frozen token table, so no base row is copied or changed. Saved as safetensors {@code
 * {placeholder: [n, D]}}, the format diffusers' {@code load_textual_inversion} reads.
 */
public final class TextualInversion {

  private final Map<String, List<Long>> placeholders;
  private final long firstId;
  private final NDArray vectors;

  private TextualInversion(Map<String, List<Long>> placeholders, long firstId, NDArray vectors) {
    this.placeholders = placeholders;
    this.firstId = firstId;
    this.vectors = vectors;
  }

  /**
   * Registers each placeholder with its number of vectors in {@code tokenizer}, initialises every
   * vector from the embedding of {@code initToken} (a vocabulary word), and attaches the vectors to
   * {@code text}. Placeholders must be new to the tokenizer.
   */
  public static TextualInversion create(
      ClipTextModel text,
      Tokenizer tokenizer,
      Map<String, Integer> vectorsPerPlaceholder,
      String initToken,
      NDManager manager) {
    long firstId = tokenizer.vocabSize();
    if (firstId != text.config().vocabSize()) {
      throw new IllegalArgumentException(
          "the tokenizer already has ids beyond the text encoder's table ("
              + firstId
              + " vs "
              + text.config().vocabSize()
              + ")");
    }
    Map<String, List<Long>> ids = new LinkedHashMap<>();
    // Sorted, so the ids do not depend on the iteration order of the caller's map.
    new java.util.TreeMap<>(vectorsPerPlaceholder)
        .forEach((token, n) -> ids.put(token, tokenizer.addPlaceholder(token, n)));
    int total = vectorsPerPlaceholder.values().stream().mapToInt(Integer::intValue).sum();
    long init = tokenizer.id(initToken);
    NDArray row =
        text.tokenEmbedding().getArray().get(manager, new NDIndex("{}:{}", init, init + 1));
    NDArray vectors = row.repeat(0, total);
    vectors.setRequiresGradient(true);
    text.setExtraTokenEmbeddings(vectors);
    return new TextualInversion(ids, firstId, vectors);
  }

  /** Returns the learnable matrix of all vectors {@code [total, D]} (for an optimiser). */
  public NDArray vectors() {
    return vectors;
  }

  /** Returns the placeholders and their ids. */
  public Map<String, List<Long>> placeholders() {
    return placeholders;
  }

  /** Returns the vectors of one placeholder {@code [n, D]}. */
  public NDArray vectors(String placeholder) {
    List<Long> ids = placeholders.get(placeholder);
    if (ids == null) {
      throw new IllegalArgumentException("unknown placeholder " + placeholder);
    }
    long from = ids.get(0) - firstId;
    return vectors.get(new NDIndex("{}:{}", from, from + ids.size()));
  }

  /** Writes {@code {placeholder: [n, D]}} to a safetensors file. */
  public void save(Path file) {
    try (NDManager scope = Compute.newManager()) {
      Map<String, NDArray> out = new LinkedHashMap<>();
      placeholders
          .keySet()
          .forEach(
              p -> {
                NDArray v = vectors(p);
                v.attach(scope);
                out.put(p, v);
              });
      Safetensors.write(file, out, Safetensors.Dtype.F32, Map.of());
    }
  }

  /**
   * Copies saved vectors into this concept set; every placeholder must be present with its shape.
   */
  public void load(Path file) {
    try (NDManager scope = Compute.newManager()) {
      Map<String, NDArray> saved = Safetensors.readAll(file, scope);
      for (String p : placeholders.keySet()) {
        NDArray s = saved.get(p);
        List<Long> ids = placeholders.get(p);
        long width = vectors.getShape().get(1);
        Shape expected = new Shape(ids.size(), width);
        // A single vector may be saved as [D]; any other shape must be [n, D] with the encoder's D.
        if (s == null
            || s.getShape().get(s.getShape().dimension() - 1) != width
            || s.size() != expected.size()) {
          throw new IllegalArgumentException(
              file
                  + ": placeholder "
                  + p
                  + " is "
                  + (s == null ? "missing" : s.getShape())
                  + ", expected "
                  + expected
                  + " ("
                  + ids.size()
                  + " vector(s) of the text encoder's token width "
                  + width
                  + ")");
        }
        long from = ids.get(0) - firstId;
        vectors.set(new NDIndex("{}:{}", from, from + ids.size()), s.reshape(expected));
      }
    }
  }
}
