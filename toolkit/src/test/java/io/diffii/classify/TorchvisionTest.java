package io.diffii.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.diffii.TestFixtures;
import io.diffii.io.Safetensors;
import io.diffii.model.ResizeCrop;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.NoGrad;
import io.diffii.nn.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * torchvision's ResNet and ViT against torchvision itself: outputs of reduced configurations on
 * random weights (fixtures/torchvision, written by
 * toolkit/src/test/python/torchvision_fixtures.py), and the full-size networks' state_dict names,
 * shapes and parameter counts.
 */
class TorchvisionTest {

  /** Largest absolute logit difference accepted against torchvision. */
  private static final double TOLERANCE = 1e-4;

  private static TorchvisionResNet reducedResNet() {
    return new TorchvisionResNet(new int[] {8, 16, 32, 64}, new int[] {3, 4, 6, 3}, 10, 64);
  }

  private static TorchvisionViT reducedViT() {
    return new TorchvisionViT(32, 8, 2, 4, 64, 128, 10);
  }

  private static Map<String, NDArray> io(String name, NDManager m) {
    return Safetensors.readAll(TestFixtures.path("torchvision/" + name + "-io.safetensors"), m);
  }

  private static <C extends Classifier> C loaded(C model, String name, NDManager m) {
    return Torchvision.load(model, TestFixtures.path("torchvision/" + name + ".safetensors"), m);
  }

  private static double maxAbsDiff(NDArray a, NDArray b) {
    assertEquals(b.getShape(), a.getShape());
    return a.sub(b).abs().max().getFloat();
  }

  @Test
  void reducedResNetMatchesTorchvisionInInference() {
    try (NoGrad g = NoGrad.open();
        NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> io = io("resnet-reduced", m);
      Classifier model = loaded(reducedResNet(), "resnet-reduced", m);
      double diff = maxAbsDiff(model.logits(io.get("images")), io.get("logits"));
      System.out.printf("ResNet (reduced) eval logits: max |Δ| = %.3g%n", diff);
      assertTrue(diff <= TOLERANCE, "max |Δ| " + diff);
    }
  }

  @Test
  void reducedResNetTrainsWithBatchStatisticsAndMovesRunningStatisticsAsTorchvision() {
    try (NoGrad g = NoGrad.open();
        NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> io = io("resnet-reduced", m);
      TorchvisionResNet model = loaded(reducedResNet(), "resnet-reduced", m);
      NDArray logits = model.logits(new ParameterStore(m, false), io.get("images"), true);
      double diff = maxAbsDiff(logits, io.get("train_logits"));
      Map<String, NDArray> weights = Weights.arrays(model);
      double mean = maxAbsDiff(weights.get("bn1.running_mean"), io.get("train_bn1.running_mean"));
      double var = maxAbsDiff(weights.get("bn1.running_var"), io.get("train_bn1.running_var"));
      System.out.printf(
          "ResNet (reduced) train logits: max |Δ| = %.3g; bn1 running mean %.3g, var %.3g%n",
          diff, mean, var);
      assertTrue(diff <= TOLERANCE, "max |Δ| " + diff);
      assertTrue(mean <= 1e-6 && var <= 1e-6, "running statistics off by " + mean + ", " + var);
    }
  }

  @Test
  void reducedViTMatchesTorchvision() {
    try (NoGrad g = NoGrad.open();
        NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> io = io("vit-reduced", m);
      Classifier model = loaded(reducedViT(), "vit-reduced", m);
      double diff = maxAbsDiff(model.logits(io.get("images")), io.get("logits"));
      System.out.printf("ViT (reduced) logits: max |Δ| = %.3g%n", diff);
      assertTrue(diff <= TOLERANCE, "max |Δ| " + diff);
    }
  }

  /** Torchvision's "name d0,d1,…" lines, without the BatchNorm counters this side skips. */
  private static Map<String, Shape> torchvisionNames(String file) throws IOException {
    Map<String, Shape> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(TestFixtures.path("torchvision/" + file))) {
      if (line.startsWith("#") || line.contains("num_batches_tracked")) {
        continue;
      }
      String[] parts = line.split(" ");
      long[] dims =
          parts.length == 1
              ? new long[0]
              : java.util.Arrays.stream(parts[1].split(",")).mapToLong(Long::parseLong).toArray();
      out.put(parts[0], new Shape(dims));
    }
    return out;
  }

  private static void assertSameState(NamedBlock model, String file, long trainable)
      throws IOException {
    Map<String, Shape> mine = new LinkedHashMap<>();
    long count = 0;
    for (Map.Entry<String, Parameter> e : model.stateDict().entrySet()) {
      mine.put(e.getKey(), e.getValue().getShape());
      count += e.getValue().requiresGradient() ? e.getValue().getShape().size() : 0;
    }
    Map<String, Shape> theirs = torchvisionNames(file);
    assertEquals(new ArrayList<>(theirs.keySet()), new ArrayList<>(mine.keySet()));
    assertEquals(theirs, mine);
    assertEquals(trainable, count);
  }

  @Test
  void fullSizeNetworksHaveTorchvisionsNamesShapesAndParameterCounts() throws IOException {
    assertSameState(Torchvision.resnet50Architecture(1000), "resnet50.names.txt", 25_557_032L);
    assertSameState(Torchvision.vitB16Architecture(1000), "vit_b_16-384.names.txt", 86_859_496L);
  }

  @Test
  void loadingIsStrictAndListsEveryMissingAndUnexpectedTensor(@TempDir Path dir) {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors =
          new LinkedHashMap<>(
              Safetensors.readAll(TestFixtures.path("torchvision/vit-reduced.safetensors"), m));
      tensors.remove("heads.head.bias");
      tensors.remove("encoder.layers.encoder_layer_1.mlp.3.weight");
      tensors.put("head.weight", m.zeros(new Shape(10, 64)));
      Path file = dir.resolve("bad.safetensors");
      Safetensors.write(file, tensors, Safetensors.Dtype.F32, Map.of());
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> Torchvision.load(reducedViT(), file, m));
      assertTrue(e.getMessage().contains("3 problems"), e.getMessage());
      assertTrue(e.getMessage().contains("missing heads.head.bias"), e.getMessage());
      assertTrue(
          e.getMessage().contains("missing encoder.layers.encoder_layer_1.mlp.3.weight"),
          e.getMessage());
      assertTrue(e.getMessage().contains("unexpected head.weight"), e.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> Torchvision.load(reducedViT(), dir.resolve("absent.safetensors"), m));
    }
  }

  @Test
  void imagesOfAnotherSizeAreAnErrorNotResized() {
    try (NoGrad g = NoGrad.open();
        NDManager m = NDManager.newBaseManager()) {
      Classifier resnet = loaded(reducedResNet(), "resnet-reduced", m);
      Classifier vit = loaded(reducedViT(), "vit-reduced", m);
      assertThrows(
          IllegalArgumentException.class, () -> resnet.logits(m.zeros(new Shape(1, 3, 32, 32))));
      assertThrows(
          IllegalArgumentException.class, () -> vit.logits(m.zeros(new Shape(1, 3, 64, 64))));
      assertThrows(
          IllegalArgumentException.class, () -> vit.logits(m.zeros(new Shape(1, 1, 32, 32))));
      assertEquals(224, Torchvision.resnet50Architecture(1000).inputSize());
      assertEquals(384, Torchvision.vitB16Architecture(1000).inputSize());
    }
  }

  @Test
  void transformsResizeTheShorterSideAndCropTheCentre() {
    assertEquals(new ResizeCrop(256, 224), Torchvision.RESNET50_TRANSFORM);
    assertEquals(new ResizeCrop(384, 384), Torchvision.VIT_B16_TRANSFORM);
    try (NDManager m = NDManager.newBaseManager()) {
      // A constant image stays constant; a horizontal ramp keeps its centre value after the crop.
      NDArray grey = m.full(new Shape(2, 3, 300, 450), 0.25f);
      NDArray out = Torchvision.RESNET50_TRANSFORM.apply(grey);
      assertEquals(new Shape(2, 3, 224, 224), out.getShape());
      assertEquals(0.25f, out.min().getFloat(), 1e-5);
      assertEquals(0.25f, out.max().getFloat(), 1e-5);
      NDArray vit = Torchvision.VIT_B16_TRANSFORM.apply(m.ones(new Shape(1, 3, 500, 400)));
      assertEquals(new Shape(1, 3, 384, 384), vit.getShape());
      assertThrows(IllegalArgumentException.class, () -> new ResizeCrop(224, 256));
    }
  }

  @Test
  void aNewHeadForTheFineClassesKeepsTheBodyAndSavesAndLoads(@TempDir Path dir) {
    try (NoGrad g = NoGrad.open();
        NDManager m = NDManager.newBaseManager()) {
      NDArray images = io("vit-reduced", m).get("images");
      for (Classifier model :
          List.of(
              loaded(reducedResNet(), "resnet-reduced", m),
              loaded(reducedViT(), "vit-reduced", m))) {
        NDArray x =
            model instanceof TorchvisionResNet ? io("resnet-reduced", m).get("images") : images;
        Classifier fine = model.withNewHead(5, m);
        assertEquals(5, fine.classes());
        assertEquals(new Shape(3, 5), fine.logits(x).getShape());
        ParameterStore store = new ParameterStore(m, false);
        assertEquals(
            0.0, maxAbsDiff(fine.features(store, x, false), model.features(store, x, false)));
        fine.save(dir.resolve(model.config().get("type").getAsString()), false);
        Classifier back = Classifier.load(dir.resolve(model.config().get("type").getAsString()), m);
        assertEquals(0.0, maxAbsDiff(back.logits(x), fine.logits(x)));
        assertArrayEquals(
            Weights.arrays(fine).keySet().toArray(), Weights.arrays(back).keySet().toArray());
      }
    }
  }

  /** The full networks run on one image at their input size (random weights; minutes of CPU). */
  @Test
  @Tag("slow")
  void fullSizeNetworksRunAtTheirInputSize() {
    try (NoGrad g = NoGrad.open();
        NDManager m = NDManager.newBaseManager()) {
      for (Classifier model :
          List.<Classifier>of(
              Torchvision.resnet50Architecture(1000), Torchvision.vitB16Architecture(1000))) {
        model.initializeParameters(m);
        int s = model.inputSize();
        NDArray logits = model.logits(m.randomUniform(0, 1, new Shape(1, 3, s, s)));
        assertEquals(new Shape(1, 1000), logits.getShape());
        assertTrue(logits.isInfinite().logicalOr(logits.isNaN()).none().getBoolean());
      }
    }
  }
}
