package io.diffii.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffii.TestFixtures;
import io.diffii.io.Safetensors;
import io.diffii.model.ClipConfig;
import io.diffii.model.ClipImageProcessor;
import io.diffii.model.ClipModel;
import io.diffii.model.ClipTextConfig;
import io.diffii.model.ClipVisionConfig;
import io.diffii.model.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClipModel} and {@link ClipScore} on a tiny random {@code CLIPModel} folder written here
 * with transformers' config keys and tensor names (listed independently of the implementation) and
 * the CLIP BPE tokenizer files.
 */
class ClipScoreTest {

  private static final int TEXT = 32;
  private static final int VISION = 24;
  private static final int PROJECTION = 16;
  private static final int INTERMEDIATE = 37;
  private static final int LAYERS = 2;
  private static final int IMAGE = 30;
  private static final int PATCH = 10;

  @TempDir Path dir;

  private static final List<String> PROMPTS =
      List.of("a photo of a cat", "a photo of a dog", "a red car on the road");

  @Test
  void loadsATransformersFolderAndScoresInRange() throws Exception {
    writeFolder(dir, null);
    try (NDManager m = NDManager.newBaseManager();
        ClipModel clip = ClipModel.load(dir)) {
      assertEquals(49408, clip.tokenizer().vocabSize());
      assertEquals(Math.exp(2.6592), clip.logitScaleExp(), 1e-3);
      NDArray images = images(m, 3, 40, 48, 1);
      NDArray embeds = clip.embedImages(images);
      assertEquals(new Shape(3, PROJECTION), embeds.getShape());
      for (float n : embeds.norm(new int[] {1}).toFloatArray()) {
        assertEquals(1f, n, 1e-5f);
      }
      ClipScore score = new ClipScore(clip);
      float[] s = score.score(images, PROMPTS).toFloatArray();
      float[] expected =
          embeds
              .mul(clip.embedTexts(PROMPTS, m))
              .sum(new int[] {1})
              .maximum(0f)
              .mul(100f)
              .toFloatArray();
      assertArrayEquals(expected, s, 1e-4f);
      for (float v : s) {
        assertTrue(v >= 0 && v <= 100, "CLIP score " + v);
      }
      float[] one = score.score(images(m, 8, 30, 30, 2), List.of("a dog")).toFloatArray();
      assertEquals(8, one.length, "a single prompt scores every image");
      assertEquals(score.meanScore(images, PROMPTS), mean(s), 1e-4);
    }
  }

  @Test
  void zeroShotPicksThePromptOfHighestScore() throws Exception {
    writeFolder(dir, null);
    try (NDManager m = NDManager.newBaseManager();
        ClipModel clip = ClipModel.load(dir)) {
      ClipScore score = new ClipScore(clip);
      NDArray images = images(m, 5, 30, 30, 3);
      NDArray p = score.zeroShotProbabilities(images, PROMPTS);
      assertEquals(new Shape(5, 3), p.getShape());
      assertArrayEquals(new float[] {1, 1, 1, 1, 1}, p.sum(new int[] {1}).toFloatArray(), 1e-5f);
      int[] predicted = score.zeroShot(images, PROMPTS);
      NDArray cos = clip.embedImages(images).matMul(clip.embedTexts(PROMPTS, m).transpose());
      long[] best = cos.argMax(1).toLongArray();
      for (int i = 0; i < 5; i++) {
        assertEquals(best[i], predicted[i], "image " + i);
      }
      assertThrows(
          IllegalArgumentException.class, () -> score.zeroShot(images, List.of("only one")));
      assertThrows(IllegalArgumentException.class, () -> score.score(images, PROMPTS));
    }
  }

  @Test
  void theSetsClipScoreIsTheMeanOverImagesOfTheirClassPrompt() throws Exception {
    writeFolder(dir, null);
    try (NDManager m = NDManager.newBaseManager();
        ClipModel clip = ClipModel.load(dir)) {
      ClipScore score = new ClipScore(clip);
      NDArray cats = images(m, 2, 30, 30, 11);
      NDArray dog = images(m, 1, 30, 30, 12);
      float[] c = score.score(cats, List.of("a photo of a cat")).toFloatArray();
      float[] d = score.score(dog, List.of("a photo of a dog")).toFloatArray();
      float[] catPixels = cats.toFloatArray();
      int per = 3 * 30 * 30;
      Map<Integer, List<float[]>> byClass =
          Map.of(
              0,
              List.of(
                  java.util.Arrays.copyOfRange(catPixels, 0, per),
                  java.util.Arrays.copyOfRange(catPixels, per, 2 * per)),
              1,
              List.of(dog.toFloatArray()));
      double got =
          SetMetrics.clipScore(
              score, byClass, k -> k == 0 ? "a photo of a cat" : "a photo of a dog", 30, 30);
      assertEquals((c[0] + c[1] + d[0]) / 3, got, 1e-4);
    }
  }

  @Test
  void aMissingTensorIsNamedWhenLoading() throws Exception {
    writeFolder(dir, "visual_projection.weight");
    var e = assertThrows(IllegalArgumentException.class, () -> ClipModel.load(dir));
    assertTrue(e.getMessage().contains("missing visual_projection.weight"), e.getMessage());
    Path other = dir.resolve("other");
    writeFolder(other, "vision_model.pre_layrnorm.bias");
    var v = assertThrows(IllegalArgumentException.class, () -> ClipModel.load(other));
    assertTrue(v.getMessage().contains("missing vision_model.pre_layrnorm.bias"), v.getMessage());
    var none = assertThrows(IllegalArgumentException.class, () -> ClipModel.load(dir.resolve("x")));
    assertTrue(none.getMessage().contains("no config.json"), none.getMessage());
  }

  @Test
  void aSavedModelLoadsBackWithTheSameEmbeddings() {
    ClipConfig config =
        new ClipConfig(
            ClipTextConfig.tiny().withVocabSize(40).withSpecialTokens(0, 1, 1),
            new ClipVisionConfig(32, 64, 1, 4, 32, 8, 3, "quick_gelu", 1e-5f),
            16,
            2.6592f);
    Tokenizer tokenizer =
        Tokenizer.wordLevel(List.of("a", "photo", "of", "bag", "top", "in", "the", "snow"), 16);
    Path out = dir.resolve("saved");
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray images = images(m, 2, 32, 32, 4);
      float[] before;
      float[] textBefore;
      try (ClipModel clip =
          ClipModel.create(
              config.withText(config.text().withVocabSize(tokenizer.vocabSize())),
              tokenizer,
              ClipImageProcessor.clip(32))) {
        before = clip.embedImages(images).toFloatArray();
        textBefore = clip.embedTexts(List.of("a photo of a bag in the snow"), m).toFloatArray();
        clip.save(out, Safetensors.Dtype.F32);
      }
      for (String f :
          List.of(
              "config.json", "model.safetensors", "preprocessor_config.json", "tokenizer.json")) {
        assertTrue(Files.isRegularFile(out.resolve(f)), f);
      }
      try (ClipModel back = ClipModel.load(out)) {
        assertArrayEquals(before, back.embedImages(images).toFloatArray(), 1e-6f);
        assertArrayEquals(
            textBefore,
            back.embedTexts(List.of("a photo of a bag in the snow"), m).toFloatArray(),
            1e-6f);
      }
    }
  }

  @Test
  void vitB32CountsThePublishedParameters() {
    ClipConfig b32 =
        new ClipConfig(
            new ClipTextConfig(512, 2048, 12, 8, 77, 49408, "quick_gelu", 1e-5f, 49406, 49407, 1),
            new ClipVisionConfig(768, 3072, 12, 12, 224, 32, 3, "quick_gelu", 1e-5f),
            512,
            2.6592f);
    // openai/clip-vit-base-patch32 in transformers: 151,277,313 parameters.
    assertEquals(151_277_313L, ClipModel.countParameters(b32));
  }

  @Test
  void processorResizesTheShorterSideCropsAndNormalises() {
    try (NDManager m = NDManager.newBaseManager()) {
      ClipImageProcessor p = new ClipImageProcessor(20, 16, new float[3], new float[] {1, 1, 1});
      NDArray grey = m.ones(new Shape(1, 3, 40, 60)).mul(0.25f);
      NDArray out = p.apply(grey);
      assertEquals(new Shape(1, 3, 16, 16), out.getShape());
      // Rows of the bicubic matrix sum to one, so a flat image stays flat.
      assertEquals(0.25f, out.min().getFloat(), 1e-6f);
      assertEquals(0.25f, out.max().getFloat(), 1e-6f);
      NDArray same = images(m, 1, 16, 16, 9);
      float[] clip = ClipImageProcessor.clip(16).apply(same).toFloatArray();
      float[] raw = same.toFloatArray();
      for (int i = 0; i < raw.length; i++) {
        int c = i / 256;
        float want = (raw[i] - ClipImageProcessor.CLIP_MEAN[c]) / ClipImageProcessor.CLIP_STD[c];
        assertEquals(want, clip[i], 1e-5f);
      }
    }
  }

  private static double mean(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static NDArray images(NDManager m, int n, int h, int w, long seed) {
    Random rng = new Random(seed);
    float[] x = new float[n * 3 * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextFloat();
    }
    return m.create(x, new Shape(n, 3, h, w));
  }

  /** Writes config.json, model.safetensors (without {@code drop}), the BPE tokenizer files. */
  private static void writeFolder(Path dir, String drop) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("config.json"),
        """
        {
          "architectures": ["CLIPModel"],
          "model_type": "clip",
          "projection_dim": %d,
          "logit_scale_init_value": 2.6592,
          "text_config": {"hidden_size": %d, "intermediate_size": %d, "num_hidden_layers": %d,
            "num_attention_heads": 4, "vocab_size": 49408, "max_position_embeddings": 77,
            "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05,
            "bos_token_id": 49406, "eos_token_id": 49407, "pad_token_id": 1},
          "vision_config": {"hidden_size": %d, "intermediate_size": %d, "num_hidden_layers": %d,
            "num_attention_heads": 4, "image_size": %d, "patch_size": %d, "num_channels": 3,
            "hidden_act": "quick_gelu", "layer_norm_eps": 1e-05}
        }
        """
            .formatted(
                PROJECTION,
                TEXT,
                INTERMEDIATE,
                LAYERS,
                VISION,
                INTERMEDIATE,
                LAYERS,
                IMAGE,
                PATCH));
    Path tokenizer = TestFixtures.path("clip-tokenizer");
    Files.copy(tokenizer.resolve("vocab.json"), dir.resolve("vocab.json"));
    Files.copy(tokenizer.resolve("merges.txt"), dir.resolve("merges.txt"));
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put("text_model.embeddings.token_embedding.weight", new Shape(49408, TEXT));
    shapes.put("text_model.embeddings.position_embedding.weight", new Shape(77, TEXT));
    encoder(shapes, "text_model", TEXT);
    shapes.put("text_model.final_layer_norm.weight", new Shape(TEXT));
    shapes.put("text_model.final_layer_norm.bias", new Shape(TEXT));
    int patches = (IMAGE / PATCH) * (IMAGE / PATCH);
    shapes.put("vision_model.embeddings.class_embedding", new Shape(VISION));
    shapes.put(
        "vision_model.embeddings.patch_embedding.weight", new Shape(VISION, 3, PATCH, PATCH));
    shapes.put("vision_model.embeddings.position_embedding.weight", new Shape(patches + 1, VISION));
    shapes.put("vision_model.pre_layrnorm.weight", new Shape(VISION));
    shapes.put("vision_model.pre_layrnorm.bias", new Shape(VISION));
    encoder(shapes, "vision_model", VISION);
    shapes.put("vision_model.post_layernorm.weight", new Shape(VISION));
    shapes.put("vision_model.post_layernorm.bias", new Shape(VISION));
    shapes.put("visual_projection.weight", new Shape(PROJECTION, VISION));
    shapes.put("text_projection.weight", new Shape(PROJECTION, TEXT));
    shapes.remove(drop);
    Random rng = new Random(0);
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      shapes.forEach(
          (name, shape) -> {
            float[] v = new float[(int) shape.size()];
            boolean scale = name.contains("norm") && name.endsWith("weight");
            for (int i = 0; i < v.length; i++) {
              v[i] = (float) ((scale ? 1 : 0) + 0.1 * rng.nextGaussian());
            }
            tensors.put(name, m.create(v, shape));
          });
      tensors.put("logit_scale", m.create(2.6592f));
      // Older checkpoints also hold the position-id buffers.
      tensors.put(
          "text_model.embeddings.position_ids", m.arange(0, 77, 1, DataType.INT64).reshape(1, 77));
      Safetensors.write(dir.resolve("model.safetensors"), tensors, Safetensors.Dtype.F32, Map.of());
    }
  }

  private static void encoder(Map<String, Shape> shapes, String tower, int d) {
    for (int i = 0; i < LAYERS; i++) {
      String p = tower + ".encoder.layers." + i + ".";
      for (String proj : List.of("k_proj", "v_proj", "q_proj", "out_proj")) {
        shapes.put(p + "self_attn." + proj + ".weight", new Shape(d, d));
        shapes.put(p + "self_attn." + proj + ".bias", new Shape(d));
      }
      shapes.put(p + "layer_norm1.weight", new Shape(d));
      shapes.put(p + "layer_norm1.bias", new Shape(d));
      shapes.put(p + "mlp.fc1.weight", new Shape(INTERMEDIATE, d));
      shapes.put(p + "mlp.fc1.bias", new Shape(INTERMEDIATE));
      shapes.put(p + "mlp.fc2.weight", new Shape(d, INTERMEDIATE));
      shapes.put(p + "mlp.fc2.bias", new Shape(d));
      shapes.put(p + "layer_norm2.weight", new Shape(d));
      shapes.put(p + "layer_norm2.bias", new Shape(d));
    }
  }
}
