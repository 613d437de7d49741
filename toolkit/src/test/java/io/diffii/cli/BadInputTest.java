package io.diffii.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.augment.Tiny;
import io.diffii.classify.LabeledImages;
import io.diffii.concept.ConceptLearner;
import io.diffii.concept.Concepts;
import io.diffii.data.FashionMnist;
import io.diffii.data.ImageDataset;
import io.diffii.data.ImageFolder;
import io.diffii.data.RgbImage;
import io.diffii.data.Split;
import io.diffii.embedded.Embedded;
import io.diffii.io.Safetensors;
import io.diffii.model.ResizeCrop;
import io.diffii.model.StableDiffusion;
import io.diffii.pipeline.PromptSchedule;
import io.diffii.pipeline.SdPipeline;
import io.diffii.pipeline.TwoStageSampler;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input matrix: each row through the public API (one exception whose message names the
 * file, tensor, class or argument) and, where the command line reaches it, through {@code diffii}
 * in a child JVM (exit status 2, one line on stderr that names the file or option, no stack trace).
 * The command line reads only the embedded model under {@code -Ddiffii.root} and Fashion-MNIST
 * under {@code -Ddiffii.fashionMnist}, so image folders, concepts and latents are API rows only.
 */
class BadInputTest {

  @TempDir Path dir;

  /** What the command line printed on stderr (PyTorch's own warnings left out) and returned. */
  private record Cli(int status, List<String> err) {
    String line() {
      assertEquals(1, err.size(), "one line on stderr: " + err);
      assertTrue(!err.get(0).contains("Exception in thread"), err.get(0));
      return err.get(0);
    }
  }

  /** Runs {@code diffii args} in a child JVM with the given system properties. */
  private Cli cli(Map<String, String> properties, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    for (String p : List.of("diffii.root", "ai.djl.offline", "ai.djl.pytorch.num_threads")) {
      if (System.getProperty(p) != null && !properties.containsKey(p)) {
        command.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.addAll(Arrays.asList(args));
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile())
            .start();
    assertTrue(p.waitFor(3, TimeUnit.MINUTES), "the command line did not end");
    List<String> lines =
        Files.readAllLines(err).stream()
            .filter(l -> !l.isBlank() && !l.startsWith("[W"))
            .filter(l -> !l.contains("Diff-II images") && !l.startsWith("concepts "))
            .toList();
    return new Cli(p.exitValue(), lines);
  }

  private static void assertMentions(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "'" + part + "' not in: " + message);
    }
  }

  // Fashion-MNIST.

  private Path fashionCopy() throws IOException {
    Path copy = dir.resolve("fashion");
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(FashionMnist.defaultDir())) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(f.getFileName()));
      }
    }
    return copy;
  }

  @Test
  void aMissingFashionMnistFileIsNamed() throws Exception {
    Path data = fashionCopy();
    Path missing = data.resolve("t10k-labels-idx1-ubyte.gz");
    Files.delete(missing);
    var e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(data));
    assertMentions(e.getMessage(), missing.toString(), FashionMnist.INSTALL_HINT);
    Cli c = cli(Map.of("diffii.fashionMnist", data.toString()), "main", "--out", dir + "/out");
    assertEquals(2, c.status());
    assertMentions(c.line(), "diffii main:", missing.toString());
  }

  @Test
  void aTruncatedFashionMnistFileIsNamed() throws Exception {
    Path data = fashionCopy();
    Path cut = data.resolve("train-images-idx3-ubyte.gz");
    byte[] bytes = Files.readAllBytes(cut);
    Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
    RuntimeException e = assertThrows(RuntimeException.class, () -> FashionMnist.load(data));
    assertMentions(e.getMessage(), cut.toString());
    Cli c = cli(Map.of("diffii.fashionMnist", data.toString()), "main", "--out", dir + "/out");
    assertEquals(2, c.status());
    assertMentions(c.line(), cut.toString());
  }

  // Image folders.

  private static void png(Path file, int side, int type) throws IOException {
    Files.createDirectories(file.getParent());
    ImageIO.write(new BufferedImage(side, side, type), "png", file.toFile());
  }

  @Test
  void unreadableCorruptAndEmptyImagesAreNamedAndOtherSizesAndChannelsAreConverted()
      throws Exception {
    Path root = dir.resolve("images");
    var notFolder = assertThrows(IllegalArgumentException.class, () -> ImageFolder.read(root));
    assertMentions(notFolder.getMessage(), root.toString(), "is not a folder");

    png(root.resolve("bag/a.png"), 32, BufferedImage.TYPE_INT_RGB);
    // Another size and one channel: converted to RGB, resized where the images are batched.
    png(root.resolve("bag/b.png"), 20, BufferedImage.TYPE_BYTE_GRAY);
    png(root.resolve("coat/a.png"), 32, BufferedImage.TYPE_INT_RGB);
    LabeledImages batched = LabeledImages.of(ImageFolder.read(root), ResizeCrop.square(32));
    assertEquals(3 * 32 * 32, batched.images().get(1).length);

    Path empty = root.resolve("coat/empty.png");
    Files.write(empty, new byte[0]);
    Path corrupt = root.resolve("coat/corrupt.png");
    Files.write(corrupt, "not a png".getBytes());
    ImageDataset ds = ImageFolder.read(root);
    for (Path bad : List.of(empty, corrupt)) {
      int i = ds.samples().stream().map(s -> s.id()).toList().indexOf(idOf(bad));
      RuntimeException e = assertThrows(RuntimeException.class, () -> ds.image(i));
      assertMentions(e.getMessage(), bad.toString());
    }
  }

  private static String idOf(Path file) {
    String name = file.getFileName().toString();
    return name.substring(0, name.lastIndexOf('.'));
  }

  @Test
  void aClassWithNoImageAndClassesThatDifferBetweenTrainAndTestAreNamed() throws Exception {
    Path train = dir.resolve("train");
    Path test = dir.resolve("test");
    png(train.resolve("bag/a.png"), 8, BufferedImage.TYPE_INT_RGB);
    png(train.resolve("coat/a.png"), 8, BufferedImage.TYPE_INT_RGB);
    png(test.resolve("bag/a.png"), 8, BufferedImage.TYPE_INT_RGB);
    png(test.resolve("shirt/a.png"), 8, BufferedImage.TYPE_INT_RGB);
    var differ =
        assertThrows(
            IllegalArgumentException.class,
            () -> Split.of(ImageFolder.read(train), ImageFolder.read(test)));
    assertMentions(differ.getMessage(), "only in train [coat]", "only in test [shirt]");
    Files.createDirectories(train.resolve("dress"));
    var none = assertThrows(IllegalArgumentException.class, () -> ImageFolder.read(train));
    assertMentions(none.getMessage(), train.resolve("dress").toString(), "has no image");
  }

  // Model folders.

  /** Copies the shipped model into a project root of its own, for {@code -Ddiffii.root}. */
  private Path modelCopy() throws IOException {
    Path root = dir.resolve("root");
    for (Path from : List.of(Embedded.model(), Embedded.root().resolve("data/models/backbones"))) {
      Path to = root.resolve(Embedded.root().relativize(from));
      try (Stream<Path> walk = Files.walk(from)) {
        for (Path f : walk.toList()) {
          Path target = to.resolve(from.relativize(f).toString());
          if (Files.isDirectory(f)) {
            Files.createDirectories(target);
          } else {
            Files.copy(f, target);
          }
        }
      }
    }
    return root;
  }

  private static Path modelIn(Path root) {
    return root.resolve("data/models/fashion-scenes-sd");
  }

  /** The few-shot command that loads the model first: tiny, so a model that loads runs briefly. */
  private Cli fewShot(Path root) throws Exception {
    return cli(
        Map.of("diffii.root", root.toString()),
        "few-shot",
        "--methods",
        "diff-ii",
        "--shots",
        "1",
        "--concept-steps",
        "1",
        "--epochs",
        "1",
        "--test-limit",
        "10",
        "--out",
        dir.resolve("runs").toString());
  }

  @Test
  void aModelFolderMissingAComponentIsNamed() throws Exception {
    Path root = modelCopy();
    Path config = modelIn(root).resolve("vae/config.json");
    Files.delete(config);
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> StableDiffusion.load(modelIn(root)).close());
    assertMentions(e.getMessage(), "component vae has no config.json", config.toString());
  }

  @Test
  void aConfigKeyOfTheWrongTypeIsNamed() throws Exception {
    Path root = modelCopy();
    Path config = modelIn(root).resolve("unet/config.json");
    Files.writeString(
        config,
        Files.readString(config)
            .replace("\"layers_per_block\": 1", "\"layers_per_block\": \"one\""));
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> StableDiffusion.load(modelIn(root)).close());
    assertMentions(e.getMessage(), config.toString(), "layers_per_block");
  }

  @Test
  void anUnknownConfigKeyIsNamed() throws Exception {
    Path root = modelCopy();
    Path config = modelIn(root).resolve("vae/config.json");
    Files.writeString(
        config, Files.readString(config).replace("\"latent_channels\"", "\"latent_chanels\""));
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> StableDiffusion.load(modelIn(root)).close());
    assertMentions(e.getMessage(), config.toString(), "'latent_chanels' is not an option");
  }

  @Test
  void aTruncatedOrMisShapedWeightsFileIsNamedWithItsTensor() throws Exception {
    Path root = modelCopy();
    Path vae = modelIn(root).resolve("vae/diffusion_pytorch_model.safetensors");
    byte[] bytes = Files.readAllBytes(vae);
    Files.write(vae, Arrays.copyOf(bytes, bytes.length - 1000));
    var cut =
        assertThrows(
            IllegalArgumentException.class, () -> StableDiffusion.load(modelIn(root)).close());
    assertMentions(cut.getMessage(), vae.toString());

    Files.write(vae, bytes);
    Path text = modelIn(root).resolve("text_encoder/model.safetensors");
    rewrite(text, "text_model.final_layer_norm.weight", a -> a.getManager().ones(new Shape(3)));
    var shaped =
        assertThrows(
            IllegalArgumentException.class, () -> StableDiffusion.load(modelIn(root)).close());
    assertMentions(
        shaped.getMessage(), text.toString(), "mis-shaped text_model.final_layer_norm.weight");
  }

  @Test
  void anFp16WeightsFileWithNanOrInfinityIsNamedWithItsTensor() throws Exception {
    Path root = modelCopy();
    Path unet = modelIn(root).resolve("unet/diffusion_pytorch_model.safetensors");
    rewrite(
        unet,
        "conv_out.bias",
        a -> {
          float[] v = a.toFloatArray();
          v[0] = Float.NaN;
          v[1] = Float.POSITIVE_INFINITY;
          return a.getManager().create(v, a.getShape());
        });
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> StableDiffusion.load(modelIn(root)).close());
    assertMentions(e.getMessage(), unet.toString(), "1 NaN and 1 infinite values in conv_out.bias");
  }

  /**
   * The model rows through the command line, one after the other on one copy of the model. Slow:
   * each run starts a JVM, reads Fashion-MNIST and composes the shots before it loads the model.
   */
  @Test
  @Tag("slow")
  void theCommandLineNamesEachBadModelFileInOneLine() throws Exception {
    Path root = modelCopy();
    Path model = modelIn(root);
    Path vaeConfig = model.resolve("vae/config.json");
    byte[] vaeConfigBytes = Files.readAllBytes(vaeConfig);
    Files.delete(vaeConfig);
    Cli missing = fewShot(root);
    assertEquals(2, missing.status());
    assertMentions(missing.line(), "diffii few-shot:", vaeConfig.toString());
    Files.write(vaeConfig, vaeConfigBytes);

    Path unetConfig = model.resolve("unet/config.json");
    String config = Files.readString(unetConfig);
    Files.writeString(
        unetConfig, config.replace("\"layers_per_block\": 1", "\"layers_per_block\": \"one\""));
    Cli typed = fewShot(root);
    assertEquals(2, typed.status());
    assertMentions(typed.line(), unetConfig.toString(), "layers_per_block");
    Files.writeString(unetConfig, config);

    Path vae = model.resolve("vae/diffusion_pytorch_model.safetensors");
    byte[] bytes = Files.readAllBytes(vae);
    Files.write(vae, Arrays.copyOf(bytes, bytes.length - 1000));
    Cli cut = fewShot(root);
    assertEquals(2, cut.status());
    assertMentions(cut.line(), vae.toString());
    Files.write(vae, bytes);

    Path unet = model.resolve("unet/diffusion_pytorch_model.safetensors");
    rewrite(unet, "conv_out.bias", a -> a.getManager().full(a.getShape(), Float.NaN));
    Cli nan = fewShot(root);
    assertEquals(2, nan.status());
    assertMentions(nan.line(), unet.toString(), "conv_out.bias");
  }

  /** Rewrites one tensor of a safetensors file, keeping its dtype (fp16 for the shipped model). */
  private static void rewrite(
      Path file, String tensor, java.util.function.UnaryOperator<NDArray> change) {
    try (NDManager m = NDManager.newBaseManager()) {
      Safetensors.Dtype dtype;
      try (Safetensors st = Safetensors.open(file)) {
        dtype = st.entries().get(tensor).dtype();
      }
      Map<String, NDArray> all = new TreeMap<>(Safetensors.readAll(file, m));
      all.put(tensor, change.apply(all.get(tensor)));
      Safetensors.write(file, all, dtype, Map.of());
    }
  }

  // Concepts.

  @Test
  void aConceptFolderOfAnotherModelOrOfOtherClassesIsRefusedBeforeAnyWork() throws Exception {
    ImageDataset two = Tiny.scenes(1, 1);
    Path concepts = dir.resolve("concepts");
    try (StableDiffusion sd = Tiny.model()) {
      ConceptLearner.on(sd).steps(1).batch(1).quiet().learn(two, concepts);
      ImageDataset three = Tiny.scenes(1, 1, 1);
      var other =
          assertThrows(
              IllegalArgumentException.class,
              () -> ConceptLearner.on(sd).steps(1).quiet().learn(three, concepts));
      assertMentions(other.getMessage(), concepts.toString(), "of other classes");
      // Vectors of another text encoder's token width.
      Path embeds = concepts.resolve(Concepts.EMBEDS);
      try (NDManager m = NDManager.newBaseManager()) {
        Map<String, NDArray> wide = new TreeMap<>();
        Safetensors.readAll(embeds, m).forEach((k, v) -> wide.put(k, m.zeros(new Shape(1, 7))));
        Safetensors.write(embeds, wide, Safetensors.Dtype.F32, Map.of());
      }
      var width =
          assertThrows(
              IllegalArgumentException.class, () -> Concepts.read(concepts).applyTo(sd).close());
      assertMentions(width.getMessage(), embeds.toString(), "token width");
      assertEquals(sd.tokenizer().baseVocabSize(), sd.tokenizer().vocabSize(), "nothing applied");
    }
  }

  // Latents and prompts.

  @Test
  void latentsOrPromptsOfTheWrongShapeAndNanLatentsAreNamedArguments() {
    try (StableDiffusion sd = Tiny.model();
        NDManager m = NDManager.newBaseManager()) {
      SdPipeline pipe = new SdPipeline(sd);
      int c = sd.unet().config().inChannels();
      int side = sd.unet().config().sampleSize();
      NDArray cond = pipe.embed(m, List.of("a photo of a bag"));
      NDArray threeChannels = m.zeros(new Shape(1, c - 1, side, side));
      var shape =
          assertThrows(
              IllegalArgumentException.class,
              () -> pipe.sample(threeChannels, PromptSchedule.constant(cond), 2, 1));
      assertMentions(shape.getMessage(), "start: expected latents [B, " + c + ", H, W]");
      NDArray nan = m.zeros(new Shape(1, c, side, side));
      nan.set(new ai.djl.ndarray.index.NDIndex("0, 0, 0, 0"), Float.NaN);
      var nans =
          assertThrows(
              IllegalArgumentException.class,
              () -> pipe.sample(nan, PromptSchedule.constant(cond), 2, 1));
      assertMentions(nans.getMessage(), "start: 1 of", "NaN or infinite");
      var invert =
          assertThrows(
              IllegalArgumentException.class,
              () -> pipe.invert(m.zeros(new Shape(2, c, side, side)), List.of("one"), 2, 1));
      assertMentions(invert.getMessage(), "prompts: need one per latent, got 1");
      TwoStageSampler sampler = new TwoStageSampler(pipe, 2, 1, 0.5);
      var prompts =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  sampler.sample(
                      m.zeros(new Shape(2, c, side, side)), List.of("a", "b", "c"), List.of("x")));
      assertMentions(prompts.getMessage(), "one prompt and one suffix per latent");
    }
  }

  // Output folders.

  @Test
  void anUnwritableOutputFolderIsNamed() throws Exception {
    Path file = dir.resolve("a-file");
    Files.writeString(file, "not a folder");
    Path out = file.resolve("out");
    RgbImage image = new RgbImage(2, 2, new float[12]);
    var e = assertThrows(UncheckedIOException.class, () -> image.writePng(out.resolve("x.png")));
    assertMentions(e.getMessage(), out.resolve("x.png").toString());
    Cli c = cli(Map.of(), "main", "--out", out.toString());
    assertEquals(2, c.status());
    assertMentions(c.line(), "diffii main:", file.toString());
  }
}
