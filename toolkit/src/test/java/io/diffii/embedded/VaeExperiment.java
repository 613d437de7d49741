package io.diffii.embedded;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.diffii.model.AutoencoderKL;
import java.nio.file.Path;

/** Scratch experiment: trains the embedded autoencoder briefly and prints its PSNR. */
public final class VaeExperiment {
  public static void main(String[] args) {
    int channels = Integer.parseInt(args[0]);
    int steps = Integer.parseInt(args[1]);
    SceneCorpus train = SceneCorpus.train(0);
    SceneCorpus test = SceneCorpus.test(0);
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(0);
      AutoencoderKL vae = new AutoencoderKL(VaePretrainer.embeddedConfig(channels));
      vae.initializeParameters(m);
      VaePretrainer.train(vae, train, new VaePretrainer.Settings(steps, 64, 1e-3, 50, 1e-6, 0, 100), Path.of(args[2]));
      System.out.println("channels " + channels + " steps " + steps + " PSNR " + VaePretrainer.psnr(vae, test, 500));
    }
  }
}
