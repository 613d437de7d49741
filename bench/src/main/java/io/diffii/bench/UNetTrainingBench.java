package io.diffii.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.diffii.augment.DiffIISettings;
import io.diffii.concept.Concepts;
import io.diffii.data.FashionMnist;
import io.diffii.embedded.Embedded;
import io.diffii.model.UNetConfig;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * One UNet forward and backward on a concept-learning batch of the embedded model, with the concept
 * set attached as concept learning trains it: LoRA adapters on the attention trainable, every base
 * weight frozen, and the gradient flowing back into the text context (as it does into the learned
 * tokens). The loss is the ε-prediction mean squared error.
 */
@State(Scope.Benchmark)
public class UNetTrainingBench extends ModelBench {

  private static final int BATCH = SETTINGS.concept().batch();

  private Concepts.Applied concepts;
  private NDArray latents;
  private NDArray noise;
  private NDArray timesteps;
  private NDArray context;

  @Override
  protected void prepare() {
    DiffIISettings.Concept c = SETTINGS.concept();
    int classes = FashionMnist.CLASS_NAMES.size();
    concepts =
        Concepts.attach(
            sd,
            new Concepts.Spec(
                FashionMnist.CLASS_NAMES,
                IntStream.range(0, classes).mapToObj(Embedded::metaclass).toList(),
                c.vectors(),
                "a",
                c.rank(),
                c.alpha()));
    UNetConfig u = sd.unet().config();
    Shape shape = new Shape(BATCH, u.inChannels(), latentSide(), latentSide());
    latents = inputs.randomNormal(shape);
    noise = inputs.randomNormal(shape);
    timesteps = inputs.randomInteger(0, 1000, new Shape(BATCH), DataType.INT64);
    context = inputs.randomNormal(new Shape(BATCH, tokens(), u.crossAttentionDim().get(0)));
  }

  /** Predicts the noise, takes the loss and back-propagates it. */
  @Benchmark
  public float unetForwardBackward() {
    try (Invocation run = Invocation.in(inputs);
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray text = run.copy(context);
      text.setRequiresGradient(true);
      NDArray loss =
          sd.unet().predictNoise(run.copy(latents), timesteps, text).sub(noise).square().mean();
      gc.backward(loss);
      return loss.getFloat();
    }
  }

  @Override
  protected void release() {
    concepts.close();
  }

  @Override
  protected Facts facts(String method) {
    return Facts.of(BATCH, 0, BATCH, "latents");
  }
}
