package io.diffii.model;

import static io.diffii.model.UNet2DConditionModelTest.FIXTURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UNetConfigTest {

  @TempDir Path dir;

  /** Writes the fixture's UNet config with {@code edit} applied and returns its path. */
  static Path variant(Path dir, Consumer<JsonObject> edit) {
    try {
      JsonObject json =
          JsonParser.parseString(Files.readString(FIXTURE.resolve("unet/config.json")))
              .getAsJsonObject();
      edit.accept(json);
      Files.createDirectories(dir);
      Path file = dir.resolve("config.json");
      Files.writeString(file, json.toString());
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void readsTheFixtureConfigWithHeadCountsPerLevel() {
    UNetConfig c = UNetConfig.fromJson(FIXTURE.resolve("unet/config.json"));
    assertEquals(List.of(32, 64), c.blockOutChannels());
    assertEquals(List.of(8, 8), c.attentionHeads());
    assertEquals(List.of(1, 1), c.layersPerBlock());
    assertEquals(List.of(32, 32), c.crossAttentionDim());
    assertEquals(8, c.normNumGroups());
    assertEquals(128, c.timeEmbeddingDim());
    assertTrue(c.flipSinToCos());
    assertFalse(c.useLinearProjection());
    assertEquals(8, c.downAttention(0).heads());
    assertNull(c.downAttention(1));
    assertNull(c.upAttention(0));
    assertEquals(32, c.upAttention(1).contextDim());
  }

  @Test
  void numAttentionHeadsTakesPrecedenceAndListsAreReadPerLevel() {
    UNetConfig c =
        UNetConfig.fromJson(
            variant(
                dir,
                j -> {
                  j.add("attention_head_dim", JsonParser.parseString("[2, 4]"));
                  j.add("num_attention_heads", JsonParser.parseString("[4, 8]"));
                  j.add("layers_per_block", JsonParser.parseString("[1, 2]"));
                  j.addProperty("transformer_layers_per_block", 2);
                }));
    assertEquals(List.of(4, 8), c.attentionHeads());
    assertEquals(List.of(1, 2), c.layersPerBlock());
    assertEquals(List.of(2, 2), c.transformerLayersPerBlock());
  }

  @Test
  void unsupportedValuesAreRejectedNamingTheFileAndKey() {
    Object[][] cases = {
      {"act_fn", "gelu"},
      {"addition_embed_type", "text_time"},
      {"class_embed_type", "timestep"},
      {"mid_block_type", "UNetMidBlock2DSimpleCrossAttn"},
      {"only_cross_attention", true},
      {"resnet_time_scale_shift", "scale_shift"},
      {"time_embedding_type", "fourier"},
    };
    for (Object[] c : cases) {
      String key = (String) c[0];
      Path file =
          variant(
              dir.resolve(key),
              j -> {
                if (c[1] instanceof Boolean b) {
                  j.addProperty(key, b);
                } else {
                  j.addProperty(key, (String) c[1]);
                }
              });
      var e = assertThrows(IllegalArgumentException.class, () -> UNetConfig.fromJson(file), key);
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
    }
  }

  @Test
  void inconsistentValuesAreRejectedNamingTheFileAndKey() {
    Path types =
        variant(
            dir.resolve("t"),
            j ->
                j.add(
                    "down_block_types",
                    JsonParser.parseString("[\"AttnDownBlock2D\", \"DownBlock2D\"]")));
    var e = assertThrows(IllegalArgumentException.class, () -> UNetConfig.fromJson(types));
    assertTrue(
        e.getMessage().contains(types.toString()) && e.getMessage().contains("down_block_types"),
        e.getMessage());

    Path heads =
        variant(
            dir.resolve("h"),
            j -> j.add("attention_head_dim", JsonParser.parseString("[8, 8, 8]")));
    e = assertThrows(IllegalArgumentException.class, () -> UNetConfig.fromJson(heads));
    assertTrue(e.getMessage().contains("attention_head_dim"), e.getMessage());

    Path groups = variant(dir.resolve("g"), j -> j.addProperty("norm_num_groups", 12));
    e = assertThrows(IllegalArgumentException.class, () -> UNetConfig.fromJson(groups));
    assertTrue(
        e.getMessage().contains(groups.toString()) && e.getMessage().contains("norm_num_groups"),
        e.getMessage());

    e =
        assertThrows(
            IllegalArgumentException.class, () -> UNetConfig.fromJson(dir.resolve("missing.json")));
    assertTrue(e.getMessage().contains("missing.json"), e.getMessage());
  }

  @Test
  void presetsDescribeSd15AndTheEmbeddedModel() {
    UNetConfig sd = UNetConfig.sd15();
    assertEquals(List.of(320, 640, 1280, 1280), sd.blockOutChannels());
    assertEquals(List.of(768, 768, 768, 768), sd.crossAttentionDim());
    assertEquals(1280, sd.timeEmbeddingDim());
    UNetConfig tiny = UNetConfig.tiny();
    assertEquals(List.of(64, 128), tiny.blockOutChannels());
    assertEquals(List.of(4, 4), tiny.attentionHeads());
    assertEquals(128, tiny.downAttention(1).contextDim());
  }

  @Test
  void vaeConfigReadsTheFixtureAndRejectsOtherBlockTypes() {
    VaeConfig c = VaeConfig.fromJson(FIXTURE.resolve("vae/config.json"));
    assertEquals(List.of(32, 64), c.blockOutChannels());
    assertEquals(8, c.normNumGroups());
    assertEquals(0.18215f, c.scalingFactor());
    assertTrue(c.midBlockAddAttention());
    Path file = dir.resolve("vae.json");
    try {
      JsonObject json =
          JsonParser.parseString(Files.readString(FIXTURE.resolve("vae/config.json")))
              .getAsJsonObject();
      json.add(
          "up_block_types",
          JsonParser.parseString("[\"UpDecoderBlock2D\", \"AttnUpDecoderBlock2D\"]"));
      Files.writeString(file, json.toString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    var e = assertThrows(IllegalArgumentException.class, () -> VaeConfig.fromJson(file));
    assertTrue(
        e.getMessage().contains(file.toString()) && e.getMessage().contains("up_block_types"),
        e.getMessage());
  }

  private Path write(String name, String json) {
    try {
      Path file = dir.resolve(name);
      Files.writeString(file, json);
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void anSd15ConfigReadsToTheSd15Preset() {
    String json =
        """
        {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.6.0",
         "act_fn": "silu", "attention_head_dim": 8, "block_out_channels": [320, 640, 1280, 1280],
         "center_input_sample": false, "cross_attention_dim": 768,
         "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                              "CrossAttnDownBlock2D", "DownBlock2D"],
         "downsample_padding": 1, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4,
         "layers_per_block": 2, "mid_block_scale_factor": 1, "norm_eps": 1e-05,
         "norm_num_groups": 32, "out_channels": 4, "sample_size": 64,
         "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                            "CrossAttnUpBlock2D"]}
        """;
    assertEquals(UNetConfig.sd15(), UNetConfig.fromJson(write("sd15.json", json)));
  }

  @Test
  void anSd2StyleConfigGivesLinearProjectionsAndHeadsPerLevel() {
    String json =
        """
        {"_class_name": "UNet2DConditionModel", "attention_head_dim": [5, 10, 20, 20],
         "block_out_channels": [320, 640, 1280, 1280], "cross_attention_dim": 1024,
         "use_linear_projection": true, "upcast_attention": true, "sample_size": 96,
         "dual_cross_attention": false, "num_class_embeds": null, "only_cross_attention": false}
        """;
    UNetConfig c = UNetConfig.fromJson(write("sd2.json", json));
    assertEquals(List.of(5, 10, 20, 20), c.attentionHeads());
    var sd = new UNet2DConditionModel(c).stateDict();
    assertEquals(
        new ai.djl.ndarray.types.Shape(320, 320),
        sd.get("down_blocks.0.attentions.0.proj_in.weight").getShape());
    assertEquals(
        new ai.djl.ndarray.types.Shape(1280, 1024),
        sd.get("mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight").getShape());
  }

  /**
   * Every option of diffusers' UNet2DConditionModel at its default, as {@code save_config} writes
   * them (the list of its {@code __init__}), so the unknown-key check cannot refuse a real config.
   */
  private static final String EVERY_UNET_OPTION =
      """
      {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.32.0",
       "_name_or_path": "somewhere", "sample_size": 64, "in_channels": 4, "out_channels": 4,
       "center_input_sample": false, "flip_sin_to_cos": true, "freq_shift": 0,
       "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                            "CrossAttnDownBlock2D", "DownBlock2D"],
       "mid_block_type": "UNetMidBlock2DCrossAttn",
       "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                          "CrossAttnUpBlock2D"],
       "only_cross_attention": false, "block_out_channels": [320, 640, 1280, 1280],
       "layers_per_block": 2, "downsample_padding": 1, "mid_block_scale_factor": 1,
       "dropout": 0.0, "act_fn": "silu", "norm_num_groups": 32, "norm_eps": 1e-05,
       "cross_attention_dim": 768, "transformer_layers_per_block": 1,
       "reverse_transformer_layers_per_block": null, "encoder_hid_dim": null,
       "encoder_hid_dim_type": null, "attention_head_dim": 8, "num_attention_heads": null,
       "dual_cross_attention": false, "use_linear_projection": false, "class_embed_type": null,
       "addition_embed_type": null, "addition_time_embed_dim": null, "num_class_embeds": null,
       "upcast_attention": false, "resnet_time_scale_shift": "default",
       "resnet_skip_time_act": false, "resnet_out_scale_factor": 1.0,
       "time_embedding_type": "positional", "time_embedding_dim": null,
       "time_embedding_act_fn": null, "timestep_post_act": null, "time_cond_proj_dim": null,
       "conv_in_kernel": 3, "conv_out_kernel": 3, "projection_class_embeddings_input_dim": null,
       "attention_type": "default", "class_embeddings_concat": false,
       "mid_block_only_cross_attention": null, "cross_attention_norm": null,
       "addition_embed_type_num_heads": 64}
      """;

  @Test
  void everyDiffusersOptionIsKnownAndAMisspeltOneIsRejected() {
    assertEquals(UNetConfig.sd15(), UNetConfig.fromJson(write("all.json", EVERY_UNET_OPTION)));
    Path misspelt =
        write(
            "misspelt.json",
            EVERY_UNET_OPTION.replace("\"layers_per_block\"", "\"layers_per_blok\""));
    var e = assertThrows(IllegalArgumentException.class, () -> UNetConfig.fromJson(misspelt));
    assertTrue(e.getMessage().contains(misspelt.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'layers_per_blok' is not an option"), e.getMessage());
  }

  @Test
  void everyAutoencoderOptionIsKnownAndAMisspeltOneIsRejected() {
    String all =
        """
        {"_class_name": "AutoencoderKL", "_diffusers_version": "0.32.0", "in_channels": 3,
         "out_channels": 3, "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
         "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"],
         "block_out_channels": [32, 64], "layers_per_block": 1, "act_fn": "silu",
         "latent_channels": 4, "norm_num_groups": 32, "sample_size": 32,
         "scaling_factor": 0.18215, "shift_factor": null, "latents_mean": null,
         "latents_std": null, "force_upcast": true, "use_quant_conv": true,
         "use_post_quant_conv": true, "mid_block_add_attention": true}
        """;
    assertEquals(
        List.of(32, 64), VaeConfig.fromJson(write("vae-all.json", all)).blockOutChannels());
    Path misspelt =
        write("vae-misspelt.json", all.replace("\"latent_channels\"", "\"latent_channel\""));
    var e = assertThrows(IllegalArgumentException.class, () -> VaeConfig.fromJson(misspelt));
    assertTrue(e.getMessage().contains(misspelt.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("'latent_channel' is not an option"), e.getMessage());
  }
}
