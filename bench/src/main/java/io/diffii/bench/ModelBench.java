package io.diffii.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.diffii.augment.DiffIISettings;
import io.diffii.embedded.Embedded;
import io.diffii.model.StableDiffusion;
import io.diffii.pipeline.SdPipeline;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The common state of the benchmarks that run a diffusion model: the model loaded once per trial
 * (the embedded one unless {@link #folder} says otherwise), its pipeline, and a manager for inputs
 * made once. Subclasses make their inputs in {@link #prepare} and say what one operation of each
 * benchmark method computes in {@link #facts}. Times are averages per operation in milliseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public abstract class ModelBench {

  /** The embedded default's settings, whose batches and step counts the benchmarks use. */
  protected static final DiffIISettings SETTINGS = DiffIISettings.embedded();

  /** The model. */
  protected StableDiffusion sd;

  /** Its pipeline. */
  protected SdPipeline pipe;

  /** Owns the inputs made once per trial. */
  protected NDManager inputs;

  /** Loads the model and makes the inputs from seed 0. */
  @Setup(Level.Trial)
  public void load() {
    sd = StableDiffusion.load(folder());
    pipe = new SdPipeline(sd);
    inputs = sd.manager().newSubManager();
    Engine.getInstance().setRandomSeed(0);
    prepare();
  }

  /** Records the facts of the run and frees the model. */
  @TearDown(Level.Trial)
  public void close(BenchmarkParams params) {
    String benchmark = params.getBenchmark();
    Facts.record(params, facts(benchmark.substring(benchmark.lastIndexOf('.') + 1)));
    release();
    sd.close();
  }

  /** Frees what a subclass attached to the model, before the model is closed; nothing here. */
  protected void release() {}

  /** Returns the model folder; the embedded model by default. */
  protected Path folder() {
    return Embedded.model();
  }

  /** Makes the inputs, in {@link #inputs}. */
  protected abstract void prepare();

  /** Returns what one operation of the benchmark method {@code method} computes. */
  protected abstract Facts facts(String method);

  /** Returns the side of the model's latents. */
  protected int latentSide() {
    return sd.unet().config().sampleSize();
  }

  /** Returns the number of tokens of a prompt (the text encoder's positions). */
  protected int tokens() {
    return sd.textEncoder().config().maxPositionEmbeddings();
  }
}
