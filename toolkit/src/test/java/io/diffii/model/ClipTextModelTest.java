package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.diffii.TestFixtures;
import io.diffii.io.Safetensors;
import io.diffii.nn.Weights;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClipTextModelTest {

  @Test
  void matchesTransformersOnTheFixture() {
    Path root = TestFixtures.path("diffusers-tiny");
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTextModel text =
          new ClipTextModel(ClipTextConfig.fromJson(root.resolve("text_encoder/config.json")));
      Weights.load(
          text,
          Safetensors.readAll(root.resolve("text_encoder/model.safetensors"), m),
          m,
          Set.of("text_model.embeddings.position_ids"),
          "fixture");
      Map<String, NDArray> io = Safetensors.readAll(root.resolve("io/text_encoder.safetensors"), m);
      NDList out = text.encode(io.get("input_ids"));
      float last = out.get(0).sub(io.get("last_hidden_state")).abs().max().getFloat();
      float pooled = out.get(1).sub(io.get("pooler_output")).abs().max().getFloat();
      assertTrue(last < 1e-4, "last_hidden_state max abs error " + last);
      assertTrue(pooled < 1e-4, "pooler_output max abs error " + pooled);
    }
  }

  @Test
  void sd15CountsTheTextEncodersPublishedParameters() {
    assertEquals(123_060_480L, Weights.count(new ClipTextModel(ClipTextConfig.sd15())));
  }

  @Test
  void loadingListsEveryMissingUnexpectedAndMisshapedTensor() {
    Path root = TestFixtures.path("diffusers-tiny");
    try (NDManager m = NDManager.newBaseManager()) {
      ClipTextModel text =
          new ClipTextModel(ClipTextConfig.fromJson(root.resolve("text_encoder/config.json")));
      Map<String, NDArray> tensors =
          new java.util.LinkedHashMap<>(
              Safetensors.readAll(root.resolve("text_encoder/model.safetensors"), m));
      tensors.remove("text_model.final_layer_norm.weight");
      tensors.put(
          "text_model.encoder.layers.0.mlp.fc1.bias", m.zeros(new ai.djl.ndarray.types.Shape(3)));
      tensors.put("extra.weight", m.zeros(new ai.djl.ndarray.types.Shape(2)));
      var e =
          assertThrows(
              IllegalArgumentException.class,
              () -> Weights.load(text, tensors, m, Set.of(), "broken.safetensors"));
      String msg = e.getMessage();
      assertTrue(msg.contains("broken.safetensors"), msg);
      assertTrue(msg.contains("missing text_model.final_layer_norm.weight"), msg);
      assertTrue(
          msg.contains(
              "mis-shaped text_model.encoder.layers.0.mlp.fc1.bias: expected (37), found (3)"),
          msg);
      assertTrue(msg.contains("unexpected extra.weight"), msg);
    }
  }
}
