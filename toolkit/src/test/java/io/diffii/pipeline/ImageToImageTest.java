package io.diffii.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.diffii.augment.Tiny;
import io.diffii.model.StableDiffusion;
import io.diffii.schedule.DdimScheduler;
import io.diffii.schedule.GaussianNoise;
import io.diffii.schedule.NoiseSchedule;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageToImageTest {

  private static final List<String> PROMPTS = List.of("a photo of a bag", "a photo of a top");

  /** Two real scenes as {@code [2, 3, 32, 32]}. */
  private static NDArray sources(NDManager m) {
    var scenes = Tiny.scenes(1, 1);
    float[] a = scenes.image(0).data();
    float[] b = scenes.image(1).data();
    float[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return m.create(both, new Shape(2, 3, 32, 32));
  }

  private static NDArray noise(NDManager m, NDArray like, long seed) {
    return GaussianNoise.sample(m, like.getShape(), DataType.FLOAT32, new Random(seed));
  }

  @Test
  void strengthZeroReturnsTheSourcesAutoencoderRoundTrip() {
    try (StableDiffusion sd = Tiny.model();
        NDManager m = NDManager.newBaseManager()) {
      SdPipeline pipe = new SdPipeline(sd);
      NDArray x = sources(m);
      NDArray latents = pipe.encode(x);
      ImageToImage edit = new ImageToImage(pipe, 10, 3);
      assertEquals(0, edit.timesteps(0).length);
      float[] edited = edit.images(x, noise(m, latents, 1), PROMPTS, 0).toFloatArray();
      assertArrayEquals(pipe.decode(pipe.encode(x)).toFloatArray(), edited, 0f);
    }
  }

  @Test
  void strengthOneIsTextToImageFromTheSameNoise() {
    try (StableDiffusion sd = Tiny.model();
        NDManager m = NDManager.newBaseManager()) {
      SdPipeline pipe = new SdPipeline(sd);
      NDArray x = sources(m);
      NDArray eps = noise(m, pipe.encode(x), 2);
      float[] edited = new ImageToImage(pipe, 10, 3).images(x, eps, PROMPTS, 1).toFloatArray();
      float[] generated =
          pipe.decode(pipe.sample(eps, PromptSchedule.constant(pipe.embed(m, PROMPTS)), 10, 3))
              .toFloatArray();
      assertArrayEquals(generated, edited, 0f);
      // Another source changes nothing at full strength.
      float[] other =
          new ImageToImage(pipe, 10, 3).images(x.flip(0), eps, PROMPTS, 1).toFloatArray();
      assertArrayEquals(generated, other, 0f);
    }
  }

  @Test
  void anIntermediateStrengthNoisesTheSourceToItsTimestepByEquationOneAndDenoisesFromThere() {
    try (StableDiffusion sd = Tiny.model();
        NDManager m = NDManager.newBaseManager()) {
      SdPipeline pipe = new SdPipeline(sd);
      ImageToImage edit = new ImageToImage(pipe, 25, 3);
      int[] all = new DdimScheduler(pipe.scheduleConfig()).timesteps(25);
      int trainSteps = pipe.scheduleConfig().numTrainTimesteps();
      for (double s : new double[] {0.1, 0.25, 0.4, 0.5, 0.75, 0.9}) {
        int[] kept = edit.timesteps(s);
        // The last ⌊25·s⌋ timesteps; the first lies within two steps (Δ = T/25) below s·T.
        assertEquals((int) (25 * s), kept.length, "strength " + s);
        assertArrayEquals(Arrays.copyOfRange(all, 25 - kept.length, 25), kept);
        assertTrue(kept[0] <= s * trainSteps && kept[0] + 2 * trainSteps / 25 > s * trainSteps);
      }
      assertArrayEquals(
          new int[] {361, 321, 281, 241, 201, 161, 121, 81, 41, 1}, edit.timesteps(0.4));

      NDArray x = sources(m);
      NDArray x0 = pipe.encode(x);
      NDArray eps = noise(m, x0, 3);
      // Eq. 1 at t_s = 361 written out, then DDIM over the kept timesteps.
      double alphaBar = NoiseSchedule.of(pipe.scheduleConfig()).alphaBar(361);
      NDArray start = x0.mul(Math.sqrt(alphaBar)).add(eps.mul(Math.sqrt(1 - alphaBar)));
      DdimScheduler scheduler = new DdimScheduler(pipe.scheduleConfig());
      int[] kept = scheduler.timesteps(25, 0.4);
      NDArray expected =
          DenoisingLoop.run(
              new Denoiser(sd.unet()),
              scheduler,
              kept,
              start,
              PromptSchedule.constant(pipe.embed(m, PROMPTS)),
              pipe.embed(m, Collections.nCopies(2, "")),
              3);
      assertArrayEquals(
          expected.toFloatArray(), edit.sample(x0, eps, PROMPTS, 0.4).toFloatArray(), 1e-5f);

      // A larger strength moves the result further from the source.
      double previous = 0;
      for (double s : new double[] {0.2, 0.5, 0.8}) {
        double distance = edit.sample(x0, eps, PROMPTS, s).sub(x0).square().mean().getFloat();
        assertTrue(distance > previous, "strength " + s + ": " + distance + " <= " + previous);
        previous = distance;
      }
    }
  }

  @Test
  void badInputIsAClearError() {
    try (StableDiffusion sd = Tiny.model();
        NDManager m = NDManager.newBaseManager()) {
      SdPipeline pipe = new SdPipeline(sd);
      NDArray x0 = pipe.encode(sources(m));
      ImageToImage edit = new ImageToImage(pipe, 10, 3);
      assertThrows(
          IllegalArgumentException.class, () -> edit.sample(x0, noise(m, x0, 1), PROMPTS, 1.5));
      assertThrows(
          IllegalArgumentException.class,
          () -> edit.sample(x0, noise(m, x0, 1), PROMPTS.subList(0, 1), 0.5));
      assertThrows(IllegalArgumentException.class, () -> new ImageToImage(pipe, 0, 3));
    }
  }
}
