package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.google.gson.JsonParser;
import io.diffii.TestFixtures;
import io.diffii.io.Safetensors;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNet2DConditionModelTest {

  @TempDir Path dir;

  static final Path FIXTURE = TestFixtures.path("diffusers-tiny");

  /**
   * Loads a checkpoint file into a block by exact name and shape; the lead switches this to
   * Weights.load.
   */
  static void loadWeights(NamedBlock block, Path file, NDManager manager) {
    assertTrue(Files.isRegularFile(file), "fixture missing: " + file);
    Weights.load(
        block, Safetensors.readAll(file, manager), manager, java.util.Set.of(), file.toString());
  }

  static Map<String, Shape> shapes(Map<String, Parameter> params) {
    Map<String, Shape> out = new TreeMap<>();
    params.forEach((k, v) -> out.put(k, v.getShape()));
    return out;
  }

  static float maxAbsDiff(NDArray a, NDArray b) {
    assertEquals(b.getShape(), a.getShape());
    return a.sub(b).abs().max().getFloat();
  }

  /** Returns the fixture UNet's max abs error for a config file and a weight transform. */
  private static float fixtureError(
      Path config, java.util.function.UnaryOperator<NDArray> convToLinear) {
    try (NDManager m = NDManager.newBaseManager()) {
      UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.fromJson(config));
      Map<String, NDArray> weights =
          Safetensors.readAll(FIXTURE.resolve("unet/diffusion_pytorch_model.safetensors"), m);
      unet.stateDict()
          .forEach(
              (name, p) -> {
                NDArray w = weights.get(name);
                NDArray value = w.getShape().equals(p.getShape()) ? w : convToLinear.apply(w);
                assertEquals(p.getShape(), value.getShape(), name);
                p.setInitializer((mm, shape, type) -> value);
                p.initialize(m, DataType.FLOAT32);
              });
      Map<String, NDArray> io = Safetensors.readAll(FIXTURE.resolve("io/unet.safetensors"), m);
      NDArray out =
          unet.predictNoise(
              io.get("latents"), io.get("timesteps"), io.get("encoder_hidden_states"));
      return maxAbsDiff(out, io.get("sample"));
    }
  }

  @Test
  void matchesDiffusersOnTheTinyFixture() {
    try (NDManager m = NDManager.newBaseManager()) {
      UNet2DConditionModel unet =
          new UNet2DConditionModel(UNetConfig.fromJson(FIXTURE.resolve("unet/config.json")));
      loadWeights(unet, FIXTURE.resolve("unet/diffusion_pytorch_model.safetensors"), m);
      Map<String, NDArray> io = Safetensors.readAll(FIXTURE.resolve("io/unet.safetensors"), m);
      NDArray out =
          unet.predictNoise(
              io.get("latents"), io.get("timesteps"), io.get("encoder_hidden_states"));
      float err = maxAbsDiff(out, io.get("sample"));
      System.out.println("unet parity max abs error " + err);
      assertTrue(err <= 1e-4, "max abs error " + err);
    }
  }

  @Test
  void linearProjectionsWithTheConvolutionWeightsGiveTheSameOutput() {
    // A 1×1 convolution over positions is the same map as a linear layer over tokens.
    Path config = UNetConfigTest.variant(dir, j -> j.addProperty("use_linear_projection", true));
    float err = fixtureError(config, w -> w.reshape(w.getShape().get(0), w.getShape().get(1)));
    assertTrue(err <= 1e-4, "max abs error " + err);
  }

  @Test
  void headCountsGivenPerLevelOrAsNumAttentionHeadsGiveTheSameOutput() {
    Path perLevel =
        UNetConfigTest.variant(
            dir.resolve("a"), j -> j.add("attention_head_dim", JsonParser.parseString("[8, 8]")));
    assertTrue(fixtureError(perLevel, w -> w) <= 1e-4);
    Path named =
        UNetConfigTest.variant(
            dir.resolve("b"),
            j -> {
              j.addProperty("attention_head_dim", 2);
              j.addProperty("num_attention_heads", 8);
            });
    assertTrue(fixtureError(named, w -> w) <= 1e-4);
    Path wrong =
        UNetConfigTest.variant(dir.resolve("c"), j -> j.addProperty("attention_head_dim", 4));
    assertTrue(fixtureError(wrong, w -> w) > 1e-3, "the head count must matter");
  }

  @Test
  void aThreeLevelLinearProjectionUNetHasDiffusersNamesAndShapesAndRuns() {
    UNetConfig config =
        UNetConfig.builder()
            .sampleSize(9)
            .blockOutChannels(32, 64, 64)
            .layersPerBlock(2)
            .downBlockTypes("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D")
            .upBlockTypes("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D")
            .crossAttentionDim(24)
            .attentionHeads(2, 4, 8)
            .transformerLayersPerBlock(1, 2, 1)
            .normNumGroups(16)
            .useLinearProjection(true)
            .build();
    UNet2DConditionModel unet = new UNet2DConditionModel(config);
    Map<String, Shape> shapes = shapes(unet.stateDict());
    Map<String, Shape> expected =
        Map.ofEntries(
            Map.entry("time_embedding.linear_1.weight", new Shape(128, 32)),
            Map.entry("down_blocks.0.attentions.1.proj_in.weight", new Shape(32, 32)),
            Map.entry("down_blocks.0.downsamplers.0.conv.weight", new Shape(32, 32, 3, 3)),
            Map.entry("down_blocks.1.resnets.0.conv_shortcut.weight", new Shape(64, 32, 1, 1)),
            Map.entry(
                "down_blocks.1.attentions.0.transformer_blocks.1.attn2.to_k.weight",
                new Shape(64, 24)),
            Map.entry("down_blocks.2.resnets.1.time_emb_proj.weight", new Shape(64, 128)),
            Map.entry(
                "mid_block.attentions.0.transformer_blocks.0.ff.net.0.proj.weight",
                new Shape(512, 64)),
            Map.entry("mid_block.attentions.0.proj_out.weight", new Shape(64, 64)),
            Map.entry("up_blocks.0.resnets.0.conv1.weight", new Shape(64, 128, 3, 3)),
            Map.entry("up_blocks.0.resnets.2.conv1.weight", new Shape(64, 128, 3, 3)),
            Map.entry("up_blocks.0.upsamplers.0.conv.weight", new Shape(64, 64, 3, 3)),
            Map.entry("up_blocks.1.resnets.2.conv1.weight", new Shape(64, 96, 3, 3)),
            Map.entry("up_blocks.1.attentions.2.transformer_blocks.1.norm3.weight", new Shape(64)),
            Map.entry("up_blocks.2.resnets.0.norm1.weight", new Shape(96)),
            Map.entry("up_blocks.2.resnets.2.conv_shortcut.weight", new Shape(32, 64, 1, 1)),
            Map.entry(
                "up_blocks.2.attentions.0.transformer_blocks.0.attn1.to_q.weight",
                new Shape(32, 32)),
            Map.entry("conv_norm_out.weight", new Shape(32)));
    expected.forEach((name, shape) -> assertEquals(shape, shapes.get(name), name));
    for (String absent :
        List.of(
            "down_blocks.2.attentions.0.norm.weight",
            "down_blocks.2.downsamplers.0.conv.weight",
            "up_blocks.0.attentions.0.norm.weight",
            "up_blocks.2.upsamplers.0.conv.weight",
            "down_blocks.0.attentions.0.transformer_blocks.1.norm1.weight",
            "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.bias")) {
      assertFalse(shapes.containsKey(absent), absent);
    }
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(1);
      unet.initializeParameters(m);
      // 9 → 5 → 3 on the way down; the up path must return to 5 and 9, the skips' sizes.
      NDArray latents = m.randomNormal(new Shape(2, 4, 9, 9));
      NDArray context = m.randomNormal(new Shape(2, 5, 24));
      NDArray out = unet.predictNoise(latents, m.create(250L), context);
      assertEquals(new Shape(2, 4, 9, 9), out.getShape());
      NDArray perSample = unet.predictNoise(latents, m.create(new long[] {250, 250}), context);
      assertTrue(maxAbsDiff(out, perSample) == 0f, "a scalar timestep applies to every sample");
    }
  }

  @Test
  void wrongInputsAreClearErrors() {
    try (NDManager m = NDManager.newBaseManager()) {
      UNet2DConditionModel unet =
          new UNet2DConditionModel(UNetConfig.fromJson(FIXTURE.resolve("unet/config.json")));
      unet.initializeParameters(m);
      NDArray t = m.create(new long[] {1, 2});
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  unet.predictNoise(
                      m.zeros(new Shape(2, 3, 8, 8)), t, m.zeros(new Shape(2, 77, 32))));
      assertTrue(e.getMessage().contains("latents"), e.getMessage());
      e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  unet.predictNoise(
                      m.zeros(new Shape(2, 4, 8, 8)), t, m.zeros(new Shape(2, 77, 16))));
      assertTrue(e.getMessage().contains("encoder hidden states"), e.getMessage());
    }
  }

  static long parameterCount(NamedBlock block) {
    return block.stateDict().values().stream().mapToLong(p -> p.getShape().size()).sum();
  }

  @Test
  void sd15PresetHasThePublishedParameterCountWithoutAllocating() {
    UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.sd15());
    assertEquals(859_520_964L, parameterCount(unet));
    assertTrue(unet.stateDict().values().stream().noneMatch(Parameter::isInitialized));
    System.out.println(
        "tiny unet parameters " + parameterCount(new UNet2DConditionModel(UNetConfig.tiny())));
  }

  @Test
  void trainingForwardGivesEveryParameterAGradient() {
    UNet2DConditionModel unet =
        new UNet2DConditionModel(UNetConfig.fromJson(FIXTURE.resolve("unet/config.json")));
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(5);
      unet.initializeParameters(m);
      NDArray latents = m.randomNormal(new Shape(2, 4, 8, 8));
      NDArray context = m.randomNormal(new Shape(2, 7, 32));
      try (ai.djl.training.GradientCollector collector = m.getEngine().newGradientCollector()) {
        NDArray out =
            unet.forward(
                    new ai.djl.training.ParameterStore(m, false),
                    new ai.djl.ndarray.NDList(latents, m.create(new long[] {3, 700}), context),
                    true)
                .singletonOrThrow();
        collector.backward(out.square().mean());
      }
      unet.stateDict()
          .forEach(
              (name, p) ->
                  assertTrue(
                      p.getArray().getGradient().abs().sum().getFloat() > 0,
                      "no gradient: " + name));
    }
  }
}
