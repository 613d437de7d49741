package io.diffii.embedded;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.io.Safetensors;
import io.diffii.model.AutoencoderKL;
import io.diffii.model.ClipTextConfig;
import io.diffii.model.ClipTextModel;
import io.diffii.model.StableDiffusion;
import io.diffii.model.Tokenizer;
import io.diffii.model.UNet2DConditionModel;
import io.diffii.model.UNetConfig;
import io.diffii.model.VaeConfig;
import io.diffii.nn.Compute;
import io.diffii.nn.Weights;
import io.diffii.schedule.DdimConfig;
import io.diffii.schedule.NoiseSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The whole pretraining of the embedded model, stage by stage, each resumable from its checkpoint
 * under {@code work/}: the autoencoder, the corpus latents, then the text encoder and UNet; the
 * result is written as a diffusers folder in fp16.
 */
public final class EmbeddedPretraining {

  /** The recipe: sizes, steps and seeds of every stage. */
  public record Recipe(
      int latentChannels,
      VaePretrainer.Settings vae,
      DiffusionPretrainer.Settings diffusion,
      int maxTokens,
      int corpusSize,
      long corpusSeed) {

    /** Returns the recipe the shipped model was trained with. */
    public static Recipe shipped() {
      return new Recipe(
          16,
          new VaePretrainer.Settings(2000, 64, 1e-3, 100, 1e-6, 0, 100),
          new DiffusionPretrainer.Settings(
              5000, 64, 1e-3, 300, 1e-2, 0.999, 0.1, 0.1, true, 0, 200),
          16,
          60_000,
          0);
    }
  }

  private EmbeddedPretraining() {}

  /** Returns the embedded UNet configuration for latents of {@code channels} channels. */
  public static UNetConfig unetConfig(int channels) {
    UNetConfig t = UNetConfig.tiny();
    return UNetConfig.builder()
        .sampleSize(t.sampleSize())
        .inChannels(channels)
        .outChannels(channels)
        .blockOutChannels(t.blockOutChannels().stream().mapToInt(Integer::intValue).toArray())
        .layersPerBlock(1)
        .downBlockTypes(t.downBlockTypes().toArray(String[]::new))
        .upBlockTypes(t.upBlockTypes().toArray(String[]::new))
        .crossAttentionDim(t.crossAttentionDim().get(0))
        .attentionHeads(t.attentionHeads().get(0))
        .build();
  }

  /**
   * Runs (or resumes) every stage and writes the model folder {@code output}; returns what was
   * measured on the way.
   */
  public static Map<String, Object> run(Recipe recipe, Path work, Path output) throws Exception {
    Files.createDirectories(work);
    Map<String, Object> report = new LinkedHashMap<>();
    Engine.getInstance().setRandomSeed((int) recipe.corpusSeed());
    SceneCorpus train = SceneCorpus.train(recipe.corpusSeed(), recipe.corpusSize());
    SceneCorpus test = SceneCorpus.test(recipe.corpusSeed());
    NDManager manager = Compute.newManager();

    long t0 = System.nanoTime();
    AutoencoderKL vae = new AutoencoderKL(VaePretrainer.embeddedConfig(recipe.latentChannels()));
    vae.initializeParameters(manager);
    VaePretrainer.train(vae, train, recipe.vae(), work.resolve("vae.ckpt.safetensors"));
    report.put("vae_psnr_db", VaePretrainer.psnr(vae, test, 1000));
    report.put("vae_stage_seconds", (System.nanoTime() - t0) / 1e9);

    t0 = System.nanoTime();
    DiffusionPretrainer.Posteriors latents = DiffusionPretrainer.encode(vae, train);
    report.put("latent_scale", latents.scale());
    Tokenizer tokenizer = Tokenizer.wordLevel(Captions.vocabulary(), recipe.maxTokens());
    ClipTextModel text =
        new ClipTextModel(
            ClipTextConfig.tiny()
                .withVocabSize(tokenizer.vocabSize())
                .withMaxPositions(recipe.maxTokens()));
    text.initializeParameters(manager);
    UNet2DConditionModel unet = new UNet2DConditionModel(unetConfig(recipe.latentChannels()));
    unet.initializeParameters(manager);
    DdimConfig scheduler = DdimConfig.stableDiffusion();
    Map<String, NDArray> ema =
        DiffusionPretrainer.train(
            text,
            unet,
            tokenizer,
            train,
            latents,
            NoiseSchedule.of(scheduler),
            recipe.diffusion(),
            work.resolve("diffusion.ckpt.safetensors"));
    copyInto(text, ema, "text_encoder.");
    copyInto(unet, ema, "unet.");
    report.put("diffusion_stage_seconds", (System.nanoTime() - t0) / 1e9);

    VaeConfig scaled = vae.config().withScalingFactor(latents.scale());
    AutoencoderKL shipped = new AutoencoderKL(scaled);
    Weights.load(shipped, Weights.arrays(vae), manager, Set.of(), "trained autoencoder");
    try (StableDiffusion sd =
        StableDiffusion.of(manager, unet, shipped, text, tokenizer, scheduler.toJson())) {
      sd.save(output, Safetensors.Dtype.F16);
    }
    return report;
  }

  private static void copyInto(ai.djl.nn.Block block, Map<String, NDArray> arrays, String prefix) {
    Map<String, NDArray> own = new LinkedHashMap<>();
    arrays.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            own.put(k.substring(prefix.length()), v);
          }
        });
    Weights.arrays((io.diffii.nn.NamedBlock) block)
        .forEach((k, live) -> live.set(own.get(k).toFloatArray()));
  }

  /** Returns the shape of one latent of the embedded model. */
  static Shape latentShape(int channels) {
    return new Shape(channels, 8, 8);
  }
}
