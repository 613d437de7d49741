package io.diffii.concept;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffii.augment.Tiny;
import io.diffii.embedded.Embedded;
import io.diffii.io.Safetensors;
import io.diffii.model.Lora;
import io.diffii.model.StableDiffusion;
import io.diffii.pipeline.SdPipeline;
import io.diffii.schedule.GaussianNoise;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConceptsTest {

  /** A prompt whose placeholder is plain text to the base model and a concept while applied. */
  private static final String PROMPT = "a photo of a <trouser> bottom";

  @TempDir Path dir;

  /**
   * The text embedding of {@link #PROMPT} and the UNet's noise prediction for it, at a fixed
   * latent.
   */
  private static float[][] outputs(StableDiffusion sd) {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray text = new SdPipeline(sd).embed(m, List.of(PROMPT));
      var cfg = sd.unet().config();
      NDArray latent =
          GaussianNoise.sample(
              m,
              new Shape(1, cfg.inChannels(), cfg.sampleSize(), cfg.sampleSize()),
              DataType.FLOAT32,
              new Random(7));
      NDArray eps = sd.unet().predictNoise(latent, m.create(new long[] {500}), text);
      return new float[][] {text.toFloatArray(), eps.toFloatArray()};
    }
  }

  /**
   * Saves a concept set with random vectors and adapters (trained ones in effect) in {@code
   * folder}.
   */
  private static Concepts made(
      StableDiffusion sd, List<String> classes, int vectors, long seed, Path folder) {
    List<String> metas =
        IntStream.range(0, classes.size())
            .mapToObj(
                c ->
                    Embedded.metaclass(
                        List.of("T-shirt/top", "Trouser", "Pullover").indexOf(classes.get(c))))
            .toList();
    try (Concepts.Applied a =
        Concepts.attach(sd, new Concepts.Spec(classes, metas, vectors, "a", 4, 4f))) {
      Random rng = new Random(seed);
      NDArray v = a.tokens().vectors();
      v.set(gaussian(rng, (int) v.size(), 1f));
      a.adapters().values().forEach(ad -> ad.up().set(gaussian(rng, (int) ad.up().size(), 0.3f)));
      return a.save(folder);
    }
  }

  private static float[] gaussian(Random rng, int n, float sd) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) rng.nextGaussian() * sd;
    }
    return out;
  }

  /** Asserts the model is at its base state: outputs, tokenizer, adapters and gradient flags. */
  private static void assertBase(StableDiffusion sd, float[][] base, boolean[] gradients) {
    float[][] now = outputs(sd);
    assertArrayEquals(base[0], now[0], "text embedding");
    assertArrayEquals(base[1], now[1], "noise prediction");
    assertEquals(sd.tokenizer().baseVocabSize(), sd.tokenizer().vocabSize());
    assertTrue(Lora.adapted(sd.unet()).isEmpty());
    assertArrayEquals(gradients, gradients(sd));
  }

  private static boolean[] gradients(StableDiffusion sd) {
    var params = List.copyOf(sd.unet().stateDict().values());
    boolean[] out = new boolean[params.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = params.get(i).requiresGradient();
    }
    return out;
  }

  @Test
  void appliedFromTheirFolderConceptsComputeExactlyWhatTheyComputedWhenSaved() {
    try (StableDiffusion sd = Tiny.model()) {
      List<String> classes = List.of("T-shirt/top", "Trouser");
      List<String> metas = List.of(Embedded.metaclass(0), Embedded.metaclass(1));
      float[][] live;
      Concepts saved;
      try (Concepts.Applied a =
          Concepts.attach(sd, new Concepts.Spec(classes, metas, 2, "a", 4, 4f))) {
        Random rng = new Random(3);
        NDArray v = a.tokens().vectors();
        v.set(gaussian(rng, (int) v.size(), 1f));
        a.adapters()
            .values()
            .forEach(
                ad -> {
                  ad.down().set(gaussian(rng, (int) ad.down().size(), 0.3f));
                  ad.up().set(gaussian(rng, (int) ad.up().size(), 0.3f));
                });
        live = outputs(sd);
        saved = a.save(dir.resolve("saved"));
      }
      for (int round = 0; round < 3; round++) {
        try (Concepts.Applied again = Concepts.read(saved.dir()).applyTo(sd)) {
          System.gc();
          float[][] loaded = outputs(sd);
          assertArrayEquals(live[0], loaded[0], "text embedding, round " + round);
          assertArrayEquals(live[1], loaded[1], "noise prediction, round " + round);
        }
      }
    }
  }

  @Test
  void closingTheHandleRestoresTheBaseModelBitForBit() {
    try (StableDiffusion sd = Tiny.model()) {
      float[][] base = outputs(sd);
      boolean[] gradients = gradients(sd);
      Concepts concepts = made(sd, List.of("T-shirt/top", "Trouser"), 2, 1, dir.resolve("a"));
      assertBase(sd, base, gradients);
      try (Concepts.Applied applied = concepts.applyTo(sd)) {
        float[][] during = outputs(sd);
        assertFalse(
            java.util.Arrays.equals(base[0], during[0]),
            "the placeholder selects the learned vectors");
        assertFalse(java.util.Arrays.equals(base[1], during[1]), "the adapters change the UNet");
        assertEquals(PROMPT, applied.prompt(1));
      }
      assertBase(sd, base, gradients);
    }
  }

  @Test
  void twoSetsOneAfterTheOtherOnOneModelMatchEachOnAFreshLoad() {
    float[][] a;
    float[][] b;
    Concepts first;
    Concepts second;
    try (StableDiffusion sd = Tiny.model()) {
      first = made(sd, List.of("T-shirt/top", "Trouser"), 1, 1, dir.resolve("a"));
      second = made(sd, List.of("Trouser", "Pullover"), 3, 2, dir.resolve("b"));
      try (Concepts.Applied applied = first.applyTo(sd)) {
        a = outputs(sd);
      }
      try (Concepts.Applied applied = second.applyTo(sd)) {
        b = outputs(sd);
      }
    }
    assertFalse(java.util.Arrays.equals(a[1], b[1]));
    for (Concepts c : List.of(first, second)) {
      try (StableDiffusion fresh = Tiny.model();
          Concepts.Applied applied = c.applyTo(fresh)) {
        float[][] expected = outputs(fresh);
        float[][] got = c == first ? a : b;
        assertArrayEquals(expected[0], got[0], c + " text embedding");
        assertArrayEquals(expected[1], got[1], c + " noise prediction");
      }
    }
  }

  @Test
  void applyingTwiceOrConceptsThatDoNotFitAreClearErrorsThatLeaveTheModelAsItWas() {
    try (StableDiffusion sd = Tiny.model();
        NDManager m = NDManager.newBaseManager()) {
      float[][] base = outputs(sd);
      boolean[] gradients = gradients(sd);
      Concepts concepts = made(sd, List.of("T-shirt/top", "Trouser"), 1, 1, dir.resolve("a"));
      try (Concepts.Applied applied = concepts.applyTo(sd)) {
        float[][] during = outputs(sd);
        var e = assertThrows(IllegalStateException.class, () -> concepts.applyTo(sd));
        assertTrue(e.getMessage().contains("close the applied set"), e.getMessage());
        float[][] still = outputs(sd);
        assertArrayEquals(during[1], still[1], "the first set is still applied");
      }
      assertBase(sd, base, gradients);

      // Token vectors one wider than the text encoder's.
      Path wide = made(sd, List.of("T-shirt/top", "Trouser"), 1, 1, dir.resolve("wide")).dir();
      long width = sd.textEncoder().config().hiddenSize();
      Safetensors.write(
          wide.resolve(Concepts.EMBEDS),
          Map.of(
              "<t-shirt-top>",
              m.zeros(new Shape(1, width + 1)),
              "<trouser>",
              m.zeros(new Shape(1, width + 1))),
          Safetensors.Dtype.F32,
          Map.of());
      var e = assertThrows(IllegalArgumentException.class, () -> Concepts.read(wide).applyTo(sd));
      assertTrue(e.getMessage().contains("token width " + width), e.getMessage());
      assertBase(sd, base, gradients);

      // Rank-2 adapters where the spec says rank 4.
      Path narrow = made(sd, List.of("T-shirt/top", "Trouser"), 1, 1, dir.resolve("narrow")).dir();
      try (Concepts.Applied rank2 =
          Concepts.attach(
              sd,
              new Concepts.Spec(
                  List.of("T-shirt/top", "Trouser"), List.of("top", "bottom"), 1, "a", 2, 2f))) {
        Lora.save(narrow.resolve(Concepts.LORA), "unet", rank2.adapters());
      }
      e = assertThrows(IllegalArgumentException.class, () -> Concepts.read(narrow).applyTo(sd));
      assertTrue(e.getMessage().contains("mis-shaped"), e.getMessage());
      assertBase(sd, base, gradients);
    }
  }
}
