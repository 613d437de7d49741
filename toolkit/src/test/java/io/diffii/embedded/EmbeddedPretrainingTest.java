package io.diffii.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffii.model.AutoencoderKL;
import io.diffii.model.ClipTextConfig;
import io.diffii.model.ClipTextModel;
import io.diffii.model.StableDiffusion;
import io.diffii.model.Tokenizer;
import io.diffii.model.UNet2DConditionModel;
import io.diffii.nn.Weights;
import io.diffii.schedule.DdimConfig;
import io.diffii.schedule.NoiseSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedPretrainingTest {

  @TempDir Path dir;

  @Test
  void aTinyRunWritesAModelFolderThatLoads() throws Exception {
    var recipe =
        new EmbeddedPretraining.Recipe(
            4,
            new VaePretrainer.Settings(2, 4, 1e-3, 1, 1e-6, 0, 2),
            new DiffusionPretrainer.Settings(3, 4, 1e-3, 1, 1e-2, 0.9, 0.1, 0.1, true, 0, 2),
            16,
            64,
            0);
    Path out = dir.resolve("model");
    Map<String, Object> report = EmbeddedPretraining.run(recipe, dir.resolve("work"), out);
    assertTrue(report.containsKey("vae_psnr_db"), report.toString());
    for (String f :
        new String[] {
          "model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors",
          "vae/config.json", "text_encoder/model.safetensors", "tokenizer/tokenizer.json",
          "scheduler/scheduler_config.json"
        }) {
      assertTrue(Files.isRegularFile(out.resolve(f)), f);
    }
    try (StableDiffusion sd = StableDiffusion.load(out)) {
      assertTrue(sd.tokenizer().encode("a photo of a bag in the snow").length == 16);
    }
  }

  @Test
  void anInterruptedDiffusionRunResumesToExactlyTheSameWeights() {
    SceneCorpus corpus = SceneCorpus.train(0, 32);
    var settings =
        new DiffusionPretrainer.Settings(4, 4, 1e-3, 1, 1e-2, 0.9, 0.1, 0.1, true, 7, 100);
    Map<String, NDArray> straight = trainTo(corpus, settings, dir.resolve("a.ckpt"), 4);
    trainTo(corpus, settings, dir.resolve("b.ckpt"), 2);
    Map<String, NDArray> resumed = trainTo(corpus, settings, dir.resolve("b.ckpt"), 4);
    straight.forEach(
        (k, v) -> assertArrayEquals(v.toFloatArray(), resumed.get(k).toFloatArray(), k));
  }

  /** Builds fresh networks from seed 0, trains until {@code until} and returns the UNet weights. */
  private static Map<String, NDArray> trainTo(
      SceneCorpus corpus, DiffusionPretrainer.Settings s, Path ckpt, long until) {
    NDManager m = NDManager.newBaseManager();
    Engine.getInstance().setRandomSeed(0);
    AutoencoderKL vae = new AutoencoderKL(VaePretrainer.embeddedConfig(4));
    vae.initializeParameters(m);
    var latents = DiffusionPretrainer.encode(vae, corpus);
    Tokenizer tok = Tokenizer.wordLevel(Captions.vocabulary(), 16);
    ClipTextModel text =
        new ClipTextModel(
            ClipTextConfig.tiny().withVocabSize(tok.vocabSize()).withMaxPositions(16));
    text.initializeParameters(m);
    UNet2DConditionModel unet = new UNet2DConditionModel(EmbeddedPretraining.unetConfig(4));
    unet.initializeParameters(m);
    DiffusionPretrainer.train(
        text,
        unet,
        tok,
        corpus,
        latents,
        NoiseSchedule.of(DdimConfig.stableDiffusion()),
        s,
        ckpt,
        until);
    return Weights.arrays(unet);
  }
}
