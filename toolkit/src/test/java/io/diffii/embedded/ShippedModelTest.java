package io.diffii.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.diffii.model.StableDiffusion;
import io.diffii.pipeline.SdPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Loads the shipped embedded model and generates one image from a fixed seed: its per-channel means
 * and a few pixels must match the values recorded when the model was made, so a change that breaks
 * the shipped folder (loading, tokenizer, UNet, scheduler, decoding) is caught.
 */
class ShippedModelTest {

  static final String PROMPT = "a photo of a bag in the snow";

  /** Returns the image [3, 32, 32] in [0, 1] the check is about. */
  static float[] sample() {
    try (StableDiffusion sd = StableDiffusion.load(Embedded.model());
        NDManager m = NDManager.newBaseManager()) {
      NDArray image = new SdPipeline(sd).generate(m, List.of(PROMPT), 10, 3.0, 0);
      return image.toFloatArray();
    }
  }

  /**
   * Records the values the test checks into {@code args[0]} (the resource file under {@code
   * src/test/resources}), after the shipped model was retrained: {@code java -cp ...
   * io.diffii.embedded.ShippedModelTest toolkit/src/test/resources/io/diffii/embedded/
   * shipped-sample.json}.
   */
  public static void main(String[] args) throws Exception {
    float[] image = sample();
    StringBuilder json = new StringBuilder("{\n  \"prompt\": \"" + PROMPT + "\", ");
    json.append("\"steps\": 10, \"guidance\": 3.0, \"seed\": 0,\n  \"channel_means\": [");
    for (int c = 0; c < 3; c++) {
      double mean = 0;
      for (int i = 0; i < 1024; i++) {
        mean += image[c * 1024 + i] / 1024.0;
      }
      json.append(String.format(java.util.Locale.ROOT, c == 0 ? "%.6f" : ", %.6f", mean));
    }
    json.append("],\n  \"pixels\": [");
    for (int i = 0; i < 16; i++) {
      json.append(
          String.format(
              java.util.Locale.ROOT, i == 0 ? "%.6f" : ", %.6f", image[i * 397 % image.length]));
    }
    json.append("]\n}\n");
    Files.writeString(Path.of(args[0]), json);
  }

  @Test
  void aFixedSeedGivesTheRecordedImage() throws Exception {
    JsonObject expected =
        JsonParser.parseString(
                Files.readString(Path.of(getClass().getResource("shipped-sample.json").toURI())))
            .getAsJsonObject();
    float[] image = sample();
    for (int c = 0; c < 3; c++) {
      double mean = 0;
      for (int i = 0; i < 1024; i++) {
        mean += image[c * 1024 + i] / 1024.0;
      }
      assertEquals(
          expected.getAsJsonArray("channel_means").get(c).getAsDouble(),
          mean,
          2e-3,
          "channel " + c);
    }
    var pixels = expected.getAsJsonArray("pixels");
    for (int i = 0; i < pixels.size(); i++) {
      int at = i * 397 % image.length;
      assertEquals(pixels.get(i).getAsDouble(), image[at], 1e-2, "pixel " + at);
    }
  }
}
