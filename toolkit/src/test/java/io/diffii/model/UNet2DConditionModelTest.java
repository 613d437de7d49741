package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class UNet2DConditionModelTest {

  static final Path FIXTURE =
      Path.of(System.getProperty("diffii.root", "..")).resolve("../shared/fixtures/diffusers-tiny");

  /** Loads a checkpoint file into a block by exact name and shape; the lead switches this to Weights.load. */
  static void loadWeights(NamedBlock block, Path file, NDManager manager) {
    assertTrue(Files.isRegularFile(file), "fixture missing: " + file);
    Map<String, NDArray> tensors = Safetensors.readAll(file, manager);
    Map<String, Parameter> params = block.stateDict();
    assertEquals(new TreeMap<>(shapes(params)).keySet(), new TreeMap<>(tensors).keySet(), "tensor names of " + file);
    params.forEach(
        (name, p) -> {
          NDArray t = tensors.get(name);
          assertEquals(p.getShape(), t.getShape(), name);
          p.setInitializer((m, shape, type) -> t);
          p.initialize(manager, DataType.FLOAT32);
        });
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

  @Test
  void matchesDiffusersOnTheTinyFixture() {
    try (NDManager m = NDManager.newBaseManager()) {
      UNet2DConditionModel unet = new UNet2DConditionModel(UNetConfig.fromJson(FIXTURE.resolve("unet/config.json")));
      loadWeights(unet, FIXTURE.resolve("unet/diffusion_pytorch_model.safetensors"), m);
      Map<String, NDArray> io = Safetensors.readAll(FIXTURE.resolve("io/unet.safetensors"), m);
      NDArray out =
          unet.predictNoise(io.get("latents"), io.get("timesteps"), io.get("encoder_hidden_states"));
      float err = maxAbsDiff(out, io.get("sample"));
      System.out.println("unet parity max abs error " + err);
      assertTrue(err <= 1e-4, "max abs error " + err);
    }
  }
}
