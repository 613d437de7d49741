package io.diffii.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.diffii.model.ClipTextConfig;
import io.diffii.model.UNetConfig;
import io.diffii.model.VaeConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The FLOP counter against multiply-adds counted by hand, layer by layer, for tiny configs. */
class FlopsTest {

  @Test
  void unetOfOneLevelMatchesTheHandCount() {
    // One level of 8 channels, no attention on the down and up paths (the mid block always has
    // it: 2 heads, 3 context tokens of width 6), 4×4 latents of 4 channels, time embedding 32.
    UNetConfig c =
        UNetConfig.builder()
            .sampleSize(4)
            .blockOutChannels(8)
            .layersPerBlock(1)
            .downBlockTypes("DownBlock2D")
            .upBlockTypes("UpBlock2D")
            .crossAttentionDim(6)
            .attentionHeads(2)
            .normNumGroups(4)
            .build();
    long time = 8 * 32 + 32 * 32;
    long convIn = 4 * 8 * 9 * 16;
    long resnet8 = 2 * (8 * 8 * 9 * 16) + 32 * 8;
    // proj_in + proj_out; self-attention q, k, v, out and Q·Kᵀ, A·V over 16 pixels; cross-attention
    // q, out over pixels and k, v over 3 tokens of 6, Q·Kᵀ, A·V; GEGLU 8→64 and 32→8.
    long transformer =
        2 * (8 * 8 * 16)
            + (4 * 8 * 8 * 16 + 2 * 16 * 16 * 8)
            + (2 * 8 * 8 * 16 + 2 * 6 * 8 * 3 + 2 * 16 * 3 * 8)
            + (8 * 64 * 16 + 32 * 8 * 16);
    // Each up block takes a skip of 8 channels: 16 in, 8 out, with a 1×1 shortcut.
    long resnet16 = 16 * 8 * 9 * 16 + 8 * 8 * 9 * 16 + 32 * 8 + 16 * 8 * 16;
    long convOut = 8 * 4 * 9 * 16;
    long perSample = time + convIn + resnet8 + 2 * resnet8 + transformer + 2 * resnet16 + convOut;
    assertEquals(152_096, perSample);
    assertEquals(perSample, Flops.unet(c, 1, 4, 3));
    assertEquals(3 * perSample, Flops.unet(c, 3, 4, 3));
  }

  @Test
  void unetLevelsDownsampleAndUpsampleToTheSkipSizes() {
    // The second level runs at half the side; a 5×5 latent goes to 3×3 and back up to 5×5.
    UNetConfig c =
        UNetConfig.builder()
            .sampleSize(5)
            .blockOutChannels(4, 4)
            .layersPerBlock(1)
            .downBlockTypes("DownBlock2D", "DownBlock2D")
            .upBlockTypes("UpBlock2D", "UpBlock2D")
            .crossAttentionDim(4)
            .attentionHeads(1)
            .normNumGroups(4)
            .timeEmbeddingDim(8)
            .build();
    long time = 4 * 8 + 8 * 8;
    long conv25 = 4 * 4 * 9 * 25;
    long conv9 = 4 * 4 * 9 * 9;
    long resnet25 = 2 * conv25 + 8 * 4;
    long resnet9 = 2 * conv9 + 8 * 4;
    // A resnet taking a 4-channel skip: 8 in, 4 out, with a 1×1 shortcut.
    long skip25 = 8 * 4 * 9 * 25 + conv25 + 8 * 4 + 8 * 4 * 25;
    long skip9 = 8 * 4 * 9 * 9 + conv9 + 8 * 4 + 8 * 4 * 9;
    long mid =
        2 * resnet9
            + (2 * 4 * 4 * 9 + 4 * 4 * 4 * 9 + 2 * 9 * 9 * 4)
            + (2 * 4 * 4 * 9 + 2 * 4 * 4 * 3 + 2 * 9 * 3 * 4)
            + (4 * 32 * 9 + 16 * 4 * 9);
    long expected =
        time
            + conv25 // conv_in
            + resnet25 // level 0
            + conv9 // downsample to 3×3
            + resnet9 // level 1
            + mid
            + 2 * skip9 // deepest up level: skips of level 1 and of the downsampler
            + conv25 // upsample to 5×5, then its convolution
            + 2 * skip25 // skips of level 0 and of conv_in
            + conv25; // conv_out
    assertEquals(expected, Flops.unet(c, 1, 5, 3));
  }

  @Test
  void textEncoderMatchesTheHandCount() {
    ClipTextConfig c = new ClipTextConfig(8, 16, 2, 2, 5, 10, "quick_gelu", 1e-5f, 0, 1, 1);
    long perLayer = 4 * 8 * 8 * 5 + 2 * 5 * 5 * 8 + 8 * 16 * 5 + 16 * 8 * 5;
    assertEquals(2 * 2 * perLayer, Flops.textEncoder(c, 2, 5));
  }

  @Test
  void autoencoderMatchesTheHandCount() {
    // Channels (4, 8), one resnet per level, latents of 2 channels; 4×4 images to 2×2 latents.
    VaeConfig c = new VaeConfig(3, 3, List.of(4, 8), 1, 2, 4, 1f, true, true, true);
    long resnet4at4 = 2 * (4 * 4 * 9 * 16);
    long resnet8at2 = 2 * (8 * 8 * 9 * 4);
    long mid = 2 * resnet8at2 + 4 * 8 * 8 * 4 + 2 * 4 * 4 * 8;
    long encode =
        3 * 4 * 9 * 16 // conv_in
            + resnet4at4
            + 4 * 4 * 9 * 4 // downsample to 2×2
            + (4 * 8 * 9 * 4 + 8 * 8 * 9 * 4 + 4 * 8 * 4) // resnet 4→8 with shortcut
            + mid
            + 8 * 4 * 9 * 4 // conv_out to mean and log-variance
            + 4 * 4 * 4; // quant_conv
    assertEquals(22_208, encode);
    assertEquals(2 * encode, Flops.vaeEncode(c, 2, 4));
    long decode =
        2 * 2 * 4 // post_quant_conv
            + 2 * 8 * 9 * 4 // conv_in
            + mid
            + 2 * resnet8at2
            + 8 * 8 * 9 * 16 // upsample to 4×4
            + (8 * 4 * 9 * 16 + 4 * 4 * 9 * 16 + 8 * 4 * 16) // resnet 8→4 with shortcut
            + resnet4at4
            + 4 * 3 * 9 * 16; // conv_out
    assertEquals(43_280, decode);
    assertEquals(decode, Flops.vaeDecode(c, 1, 2));
  }
}
