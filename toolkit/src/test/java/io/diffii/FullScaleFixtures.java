package io.diffii;

import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.diffii.augment.ClipCaptioner;
import io.diffii.classify.Torchvision;
import io.diffii.classify.TorchvisionResNet;
import io.diffii.io.Safetensors;
import io.diffii.model.AutoencoderKL;
import io.diffii.model.ClipConfig;
import io.diffii.model.ClipImageProcessor;
import io.diffii.model.ClipModel;
import io.diffii.model.ClipTextConfig;
import io.diffii.model.ClipTextModel;
import io.diffii.model.ClipVisionConfig;
import io.diffii.model.StableDiffusion;
import io.diffii.model.Tokenizer;
import io.diffii.model.UNet2DConditionModel;
import io.diffii.model.UNetConfig;
import io.diffii.model.VaeConfig;
import io.diffii.nn.Weights;
import io.diffii.schedule.DdimConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Random-weight stand-ins for what a full-scale user brings, written in the published layouts: a
 * Stable Diffusion 1.5 folder (diffusers' config keys and parameter names, small widths), a
 * CUB-200-2011 folder of non-square JPEGs, torchvision's ResNet-50 as safetensors, and a small
 * transformers CLIP folder.
 */
public final class FullScaleFixtures {

  private FullScaleFixtures() {}

  /**
   * Writes a diffusers folder with SD 1.5's layout and block structure (four levels, two residual
   * blocks each, cross-attention in the first three, 8 heads, VAE factor 8, CLIP's BPE tokenizer
   * with 77 positions and its 49,408 tokens) at small widths, so that images of {@code side} pixels
   * have latents of {@code side / 8}; VAE {@code sample_size} is {@code side}.
   */
  public static Path sd15Layout(Path dir, int side) {
    UNetConfig unet =
        UNetConfig.builder()
            .sampleSize(side / 8)
            .blockOutChannels(32, 32, 64, 64)
            .layersPerBlock(2)
            .downBlockTypes(
                "CrossAttnDownBlock2D",
                "CrossAttnDownBlock2D",
                "CrossAttnDownBlock2D",
                "DownBlock2D")
            .upBlockTypes(
                "UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D")
            .crossAttentionDim(32)
            .attentionHeads(8)
            .build();
    VaeConfig vae =
        new VaeConfig(3, 3, List.of(32, 32, 64, 64), 2, 4, 32, 0.18215f, true, true, true);
    ClipTextConfig text = new ClipTextConfig(32, 64, 2, 4, 77, 49408, "quick_gelu", 1e-5f, 0, 2, 1);
    NDManager m = NDManager.newBaseManager();
    UNet2DConditionModel u = new UNet2DConditionModel(unet);
    u.initializeParameters(m);
    AutoencoderKL v = new AutoencoderKL(vae);
    v.initializeParameters(m);
    ClipTextModel t = new ClipTextModel(text);
    t.initializeParameters(m);
    try (StableDiffusion sd =
        StableDiffusion.of(m, u, v, t, null, DdimConfig.stableDiffusion().toJson())) {
      sd.save(dir, Safetensors.Dtype.F32);
    }
    // The BPE tokenizer is copied as SD 1.5 ships it, and listed as transformers' CLIPTokenizer.
    Path tokenizer = TestFixtures.path("clip-tokenizer");
    try {
      Files.createDirectories(dir.resolve("tokenizer"));
      for (String f : List.of("vocab.json", "merges.txt")) {
        Files.copy(tokenizer.resolve(f), dir.resolve("tokenizer").resolve(f));
      }
      Gson gson = new GsonBuilder().setPrettyPrinting().create();
      JsonObject index = read(dir.resolve("model_index.json"));
      JsonArray kind = new JsonArray();
      kind.add("transformers");
      kind.add("CLIPTokenizer");
      index.add("tokenizer", kind);
      Files.writeString(dir.resolve("model_index.json"), gson.toJson(index) + "\n");
      JsonObject vaeConfig = read(dir.resolve("vae/config.json"));
      vaeConfig.addProperty("sample_size", side);
      Files.writeString(dir.resolve("vae/config.json"), gson.toJson(vaeConfig) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  private static JsonObject read(Path file) throws IOException {
    return new Gson().fromJson(Files.readString(file), JsonObject.class);
  }

  /** The sizes (width × height) the CUB fixture's images cycle through: none is square. */
  public static final int[][] SIZES = {{160, 120}, {120, 150}, {200, 140}, {140, 190}, {170, 130}};

  /**
   * Writes a CUB-200-2011 folder (classes.txt, images.txt, image_class_labels.txt,
   * train_test_split.txt, images/) with {@code classes} classes of {@code train} training and
   * {@code test} test JPEGs each, of the non-square {@link #SIZES}; each class has its own colour
   * under noise.
   */
  public static Path cubLayout(Path root, int classes, int train, int test) {
    List<String> classLines = new ArrayList<>();
    List<String> images = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    List<String> split = new ArrayList<>();
    Random rng = new Random(7);
    int id = 0;
    for (int c = 1; c <= classes; c++) {
      String name = String.format("%03d.Bird_%d", c, c);
      classLines.add(c + " " + name);
      for (int i = 0; i < train + test; i++) {
        id++;
        String path = name + "/Bird_" + c + "_" + i + ".jpg";
        int[] size = SIZES[(id - 1) % SIZES.length];
        writeJpeg(root.resolve("images").resolve(path), size[0], size[1], c, rng);
        images.add(id + " " + path);
        labels.add(id + " " + c);
        split.add(id + " " + (i < train ? 1 : 0));
      }
    }
    write(root.resolve("classes.txt"), classLines);
    write(root.resolve("images.txt"), images);
    write(root.resolve("image_class_labels.txt"), labels);
    write(root.resolve("train_test_split.txt"), split);
    return root;
  }

  private static void writeJpeg(Path file, int width, int height, int tint, Random rng) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r = (tint * 70 + rng.nextInt(60)) % 256;
        int g = (x * 255 / width + rng.nextInt(30)) % 256;
        int b = (y * 255 / height + rng.nextInt(30)) % 256;
        image.setRGB(x, y, (r << 16) | (g << 8) | b);
      }
    }
    try {
      Files.createDirectories(file.getParent());
      ImageIO.write(image, "jpg", file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, List<String> lines) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, String.join("\n", lines) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes torchvision's ResNet-50 (1000-class head) with random weights as a safetensors {@code
   * state_dict} under torchvision's names, as a user converts the published weights.
   */
  public static Path resnet50(Path file) {
    try (NDManager m = NDManager.newBaseManager()) {
      TorchvisionResNet model = Torchvision.resnet50Architecture(1000);
      model.initializeParameters(m);
      Files.createDirectories(file.getParent());
      Safetensors.write(file, Weights.arrays(model), Safetensors.Dtype.F32, Map.of("format", "pt"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /**
   * Writes a small transformers CLIP folder (32 px, word-level tokenizer over the words of {@link
   * ClipCaptioner#SCENES} and of the prompts) with random weights.
   */
  public static Path clip(Path dir) {
    Set<String> words = new LinkedHashSet<>();
    for (String p : ClipCaptioner.SCENES) {
      words.addAll(Arrays.asList(p.split(" ")));
    }
    words.addAll(List.of("a", "photo", "of", "with", "without", "on", "it", "bird"));
    Tokenizer tokenizer = Tokenizer.wordLevel(List.copyOf(words), 16);
    ClipConfig config =
        new ClipConfig(
            ClipTextConfig.tiny().withVocabSize(tokenizer.vocabSize()).withSpecialTokens(0, 1, 1),
            new ClipVisionConfig(32, 64, 1, 4, 32, 8, 3, "quick_gelu", 1e-5f),
            16,
            2.6592f);
    try (ClipModel clip = ClipModel.create(config, tokenizer, ClipImageProcessor.clip(32))) {
      clip.save(dir, Safetensors.Dtype.F32);
    }
    return dir;
  }
}
