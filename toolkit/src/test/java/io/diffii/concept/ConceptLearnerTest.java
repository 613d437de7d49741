package io.diffii.concept;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.diffii.augment.Tiny;
import io.diffii.data.ImageDataset;
import io.diffii.embedded.Embedded;
import io.diffii.io.Digests;
import io.diffii.model.StableDiffusion;
import io.diffii.pipeline.SdPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConceptLearnerTest {

  @TempDir Path dir;

  @Test
  void learningLowersTheLossAndTheSavedConceptsLoadBack() throws Exception {
    ImageDataset train = Tiny.scenes(2, 2);
    float[] expected;
    ConceptLearner.Result r;
    try (StableDiffusion sd = Tiny.model();
        NDManager m = NDManager.newBaseManager()) {
      r =
          ConceptLearner.on(sd)
              .metaclass(Embedded::metaclass)
              .steps(80)
              .batch(8)
              .seed(3)
              .quiet()
              .learn(train, dir.resolve("concepts"));
      try (Concepts.Applied applied = r.concepts().applyTo(sd)) {
        expected = new SdPipeline(sd).embed(m, List.of(applied.prompt(1))).toFloatArray();
      }
    }
    assertTrue(r.finalLoss() < r.initialLoss(), r.toString());
    assertEquals(80, r.losses().size());
    assertEquals("a photo of a <trouser> bottom", r.concepts().prompt(1));
    assertTrue(Files.isRegularFile(dir.resolve("concepts").resolve(Concepts.LORA)));
    assertTrue(!Files.exists(dir.resolve("concepts").resolve("checkpoint.safetensors")));
    try (StableDiffusion sd = Tiny.model();
        NDManager m = NDManager.newBaseManager()) {
      ConceptLearner.Result again = ConceptLearner.on(sd).learn(train, dir.resolve("concepts"));
      assertTrue(again.losses().isEmpty(), "a saved folder is loaded, not retrained");
      try (Concepts.Applied applied = again.concepts().applyTo(sd)) {
        assertArrayEquals(
            expected,
            new SdPipeline(sd).embed(m, List.of(applied.prompt(1))).toFloatArray(),
            1e-6f);
      }
    }
  }

  @Test
  void anInterruptedRunResumesToExactlyTheConceptsOfAnUninterruptedOne() throws Exception {
    ImageDataset train = Tiny.scenes(1, 1);
    try (StableDiffusion sd = Tiny.model()) {
      ConceptLearner.on(sd).steps(6).batch(2).quiet().learn(train, dir.resolve("a"));
    }
    try (StableDiffusion sd = Tiny.model()) {
      ConceptLearner.on(sd)
          .steps(6)
          .batch(2)
          .checkpointEvery(2)
          .quiet()
          .stopAfter(3)
          .learn(train, dir.resolve("b"));
    }
    assertTrue(Files.isRegularFile(dir.resolve("b/checkpoint.safetensors")));
    assertTrue(!Concepts.saved(dir.resolve("b")));
    try (StableDiffusion sd = Tiny.model()) {
      ConceptLearner.Result resumed =
          ConceptLearner.on(sd)
              .steps(6)
              .batch(2)
              .checkpointEvery(2)
              .quiet()
              .learn(train, dir.resolve("b"));
      assertEquals(3, resumed.losses().size(), "steps 3..5 only");
    }
    // The saved files, byte for byte: vectors, adapters and the class map.
    assertEquals(Digests.ofFolder(dir.resolve("a")), Digests.ofFolder(dir.resolve("b")));
  }

  /** One run's results, bit for bit. */
  private record Run(List<Double> losses, int skipped, float[] vectors, List<float[]> lora) {}

  private Run learnOnce(ImageDataset train, Path out) {
    try (StableDiffusion sd = Tiny.model()) {
      ConceptLearner.Result r =
          ConceptLearner.on(sd)
              .metaclass(Embedded::metaclass)
              .steps(4)
              .batch(2)
              .seed(7)
              .quiet()
              .learn(train, out);
      try (Concepts.Applied applied = r.concepts().applyTo(sd)) {
        List<float[]> lora =
            applied.adapters().values().stream()
                .flatMap(
                    a -> java.util.stream.Stream.of(a.down().toFloatArray(), a.up().toFloatArray()))
                .toList();
        return new Run(
            r.losses(), r.skippedSteps(), applied.tokens().vectors().toFloatArray(), lora);
      }
    }
  }

  @Test
  void twoRepetitionsInOneJvmAreBitIdenticalWhenTheCollectorRunsDuringOne() throws Exception {
    ImageDataset train = Tiny.scenes(2, 1);
    // The first repetition runs with the garbage collector busy: a collection between a forward and
    // a backward pass once freed a scalar that autograd still held (NaN or wrong gradients).
    java.util.concurrent.atomic.AtomicBoolean busy =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread collector =
        new Thread(
            () -> {
              while (busy.get()) {
                System.gc();
                try {
                  Thread.sleep(5);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    collector.setDaemon(true);
    collector.start();
    Run first;
    try {
      first = learnOnce(train, dir.resolve("first"));
    } finally {
      busy.set(false);
      collector.join();
    }
    Run second = learnOnce(train, dir.resolve("second"));
    assertEquals(0, first.skipped(), "steps dropped as non-finite");
    assertEquals(0, second.skipped(), "steps dropped as non-finite");
    assertEquals(first.losses(), second.losses());
    assertArrayEquals(first.vectors(), second.vectors());
    assertEquals(first.lora().size(), second.lora().size());
    for (int i = 0; i < first.lora().size(); i++) {
      assertArrayEquals(first.lora().get(i), second.lora().get(i), "LoRA array " + i);
    }
  }

  @Test
  void imagesOfMixedNonSquareSizesAreCentreCroppedToTheModelResolution() {
    ImageDataset train = Tiny.scenes(2, 2);
    ImageDataset framed = Tiny.framed(train);
    assertEquals(40, framed.image(0).width(), "framed images are not square");
    assertEquals(38, framed.image(1).height());
    // The frame is cropped away, so learning on the framed set is learning on the original one.
    Run plain = learnOnce(train, dir.resolve("plain"));
    Run cropped = learnOnce(framed, dir.resolve("framed"));
    assertEquals(plain.losses(), cropped.losses());
    assertArrayEquals(plain.vectors(), cropped.vectors());
    for (int i = 0; i < plain.lora().size(); i++) {
      assertArrayEquals(plain.lora().get(i), cropped.lora().get(i), "LoRA array " + i);
    }
  }

  @Test
  void aClassWithNoImageIsAClearError() {
    ImageDataset train = Tiny.scenes(1, 0);
    try (StableDiffusion sd = Tiny.model()) {
      var e =
          assertThrows(
              IllegalArgumentException.class, () -> ConceptLearner.on(sd).learn(train, dir));
      assertTrue(e.getMessage().contains("'Trouser' has no image"), e.getMessage());
    }
  }
}
