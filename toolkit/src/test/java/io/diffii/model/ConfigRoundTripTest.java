package io.diffii.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigRoundTripTest {

  @TempDir Path dir;

  @Test
  void unetConfigsReadBackEqual() throws Exception {
    UNetConfig mixed =
        UNetConfig.builder()
            .blockOutChannels(32, 64, 64)
            .layersPerBlock(2)
            .downBlockTypes("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D")
            .upBlockTypes("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D")
            .crossAttentionDim(48)
            .attentionHeads(2, 4, 8)
            .useLinearProjection(true)
            .normNumGroups(16)
            .build();
    for (UNetConfig c : new UNetConfig[] {UNetConfig.sd15(), UNetConfig.tiny(), mixed}) {
      Path f = Files.writeString(dir.resolve("unet.json"), c.toJson());
      assertEquals(c, UNetConfig.fromJson(f));
    }
  }

  @Test
  void vaeConfigsReadBackEqual() throws Exception {
    for (VaeConfig c :
        new VaeConfig[] {VaeConfig.sd15(), VaeConfig.tiny().withScalingFactor(0.7f)}) {
      Path f = Files.writeString(dir.resolve("vae.json"), c.toJson());
      assertEquals(c, VaeConfig.fromJson(f));
    }
  }
}
