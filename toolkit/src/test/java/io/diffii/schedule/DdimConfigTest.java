package io.diffii.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.TestFixtures;
import io.diffii.schedule.DdimConfig.BetaSchedule;
import io.diffii.schedule.DdimConfig.TimestepSpacing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DdimConfigTest {

  private static Path fixture(String relative) {
    return TestFixtures.path(relative);
  }

  @Test
  void stableDiffusionPresetHasTheSd15Values() {
    DdimConfig sd = DdimConfig.stableDiffusion();
    assertEquals(1000, sd.numTrainTimesteps());
    assertEquals(0.00085, sd.betaStart());
    assertEquals(0.012, sd.betaEnd());
    assertEquals(BetaSchedule.SCALED_LINEAR, sd.betaSchedule());
    assertEquals(false, sd.clipSample());
    assertEquals(false, sd.setAlphaToOne());
    assertEquals(1, sd.stepsOffset());
    assertEquals("epsilon", sd.predictionType());
    assertEquals(TimestepSpacing.LEADING, sd.timestepSpacing());
  }

  @Test
  void diffusersSchedulerConfigReadsAsTheStableDiffusionPreset() throws IOException {
    DdimConfig read =
        DdimConfig.fromJson(fixture("diffusers-tiny/scheduler/scheduler_config.json"));
    assertEquals(DdimConfig.stableDiffusion(), read);
  }

  @Test
  void pndmConfigOfAStableDiffusionFolderReadsWithDdimDefaults(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("scheduler_config.json");
    Files.writeString(
        file,
        """
        {"_class_name": "PNDMScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear",
         "beta_start": 0.00085, "num_train_timesteps": 1000, "set_alpha_to_one": false,
         "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null, "clip_sample": false}
        """);
    assertEquals(DdimConfig.stableDiffusion(), DdimConfig.fromJson(file));
  }

  @Test
  void writtenJsonReadsBack(@TempDir Path dir) throws IOException {
    DdimConfig config =
        new DdimConfig(
            500,
            0.0001,
            0.02,
            BetaSchedule.LINEAR,
            true,
            2.0,
            true,
            0,
            "epsilon",
            TimestepSpacing.TRAILING);
    Path file = dir.resolve("scheduler_config.json");
    Files.writeString(file, config.toJson());
    assertEquals(config, DdimConfig.fromJson(file));
  }

  @Test
  void unsupportedOrMalformedValuesNameTheFileAndKey(@TempDir Path dir) throws IOException {
    String[][] cases = {
      {"{\"prediction_type\": \"v_prediction\"}", "prediction_type"},
      {"{\"beta_schedule\": \"squaredcos_cap_v2\"}", "beta_schedule"},
      {"{\"thresholding\": true}", "thresholding"},
      {"{\"trained_betas\": [0.1, 0.2]}", "trained_betas"},
      {"{\"steps_offset\": \"one\"}", "steps_offset"},
      {"{\"num_train_timesteps\": 1000.5}", "num_train_timesteps"},
      {"[1, 2]", "JSON object"},
      {"{\"beta_end\": ", "JSON"},
    };
    for (String[] c : cases) {
      Path file = dir.resolve("bad.json");
      Files.writeString(file, c[0]);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DdimConfig.fromJson(file), c[0]);
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), e.getMessage());
    }
  }

  @Test
  void constructorRejectsInvalidValues() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new DdimConfig(
                1000,
                0.02,
                0.01,
                BetaSchedule.LINEAR,
                false,
                1,
                false,
                0,
                "epsilon",
                TimestepSpacing.LEADING));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new DdimConfig(
                1,
                0.001,
                0.01,
                BetaSchedule.LINEAR,
                false,
                1,
                false,
                0,
                "epsilon",
                TimestepSpacing.LEADING));
  }
}
