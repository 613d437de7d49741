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
