package io.diffii.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffii.model.UNet2DConditionModel;
import io.diffii.model.UNetConfig;
import java.util.Arrays;

/**
 * Times one forward pass of the tiny UNet ({@link UNetConfig#tiny()}) at batch 8 on 8×8 latents
 * with a 77-token context, on 2 intra-op threads: 10 warm-up passes, then the median and mean of 50
 * timed ones. A benchmark, not a test. Run it with
 *
 * <pre>
 * mvn -q -o -pl toolkit test-compile dependency:build-classpath -Dmdep.includeScope=test \
 *     -Dmdep.outputFile=target/test-classpath.txt
 * cd toolkit &amp;&amp; java -Dai.djl.offline=true \
 *     -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *     io.diffii.bench.UNetBench
 * </pre>
 *
 * <p>Arguments, all optional: batch, threads, timed passes.
 */
public final class UNetBench {

  private UNetBench() {}

  /** Runs the benchmark and prints the timing. */
  public static void main(String[] args) {
    int batch = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    // Read once, when the engine starts: set before the first array is made.
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    UNetConfig config = UNetConfig.tiny();
    UNet2DConditionModel unet = new UNet2DConditionModel(config);
    try (NDManager weights = NDManager.newBaseManager();
        NDManager run = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(0);
      unet.initializeParameters(weights);
      int side = config.sampleSize();
      double[] millis = new double[runs];
      for (int i = -10; i < runs; i++) {
        try (NDManager step = run.newSubManager()) {
          NDArray latents = step.randomNormal(new Shape(batch, config.inChannels(), side, side));
          NDArray timesteps = step.randomInteger(0, 1000, new Shape(batch), DataType.INT64);
          NDArray context =
              step.randomNormal(new Shape(batch, 77, config.crossAttentionDim().get(0)));
          long start = System.nanoTime();
          unet.predictNoise(latents, timesteps, context).toFloatArray();
          if (i >= 0) {
            millis[i] = (System.nanoTime() - start) / 1e6;
          }
        }
      }
      Arrays.sort(millis);
      System.out.printf(
          "tiny UNet forward, batch %d, %dx%d latents, %d threads: median %.1f ms, mean %.1f ms"
              + " over %d runs%n",
          batch,
          side,
          side,
          threads,
          millis[runs / 2],
          Arrays.stream(millis).average().orElse(0),
          runs);
    }
  }
}
