package io.diffii.schedule;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.Arrays;
import java.util.Random;

/**
 * The DDIM sampler (Song et al. 2021, Eq. 12 and 16) with the semantics of diffusers' {@code
 * DDIMScheduler} for epsilon prediction: leading / trailing / linspace spacing, {@code
 * steps_offset}, {@code set_alpha_to_one}, η = 0 and η &gt; 0.
 *
 * <p>Usage, as diffusers' {@code set_timesteps} then {@code step}:
 *
 * <pre>{@code
 * DdimScheduler scheduler = new DdimScheduler(DdimConfig.stableDiffusion());
 * for (int t : scheduler.timesteps(25)) {       // 961, 921, ..., 41, 1
 *   latents = scheduler.step(unet(latents, t), t, latents);
 * }
 * }</pre>
 *
 * <p>Pure math on arrays: it never calls a model. {@link #timesteps(int)} fixes the step count that
 * later {@code step} calls use, so an instance is stateful and not thread-safe. Arrays returned
 * live in the manager of the {@code sample} argument; intermediates are closed before returning
 * (each call runs in its own {@link NDScope}).
 */
public final class DdimScheduler implements Scheduler {

  private final DdimConfig config;
  private final NoiseSchedule schedule;
  private final double[] alphasCumprod;
  private final double finalAlphaCumprod;
  private int numInferenceSteps;

  /** Creates a scheduler; call {@link #timesteps(int)} before stepping. */
  public DdimScheduler(DdimConfig config) {
    this.config = config;
    this.schedule = NoiseSchedule.of(config);
    this.alphasCumprod = schedule.alphasCumprod();
    this.finalAlphaCumprod = config.setAlphaToOne() ? 1.0 : alphasCumprod[0];
  }

  /** Returns the config. */
  @Override
  public DdimConfig config() {
    return config;
  }

  /** Returns the noise schedule (β_t, ᾱ_t, Eq. 1). */
  public NoiseSchedule schedule() {
    return schedule;
  }

  /** Returns a copy of ᾱ_t for t ∈ [0, T). */
  public double[] alphasCumprod() {
    return alphasCumprod.clone();
  }

  /**
   * Returns the n inference timesteps, descending (for SD with 25 steps: 961, 921, …, 41, 1), and
   * fixes n for later {@code step} calls, as diffusers' {@code set_timesteps}.
   */
  @Override
  public int[] timesteps(int numInferenceSteps) {
    int[] ascending = ascendingTimesteps(config, numInferenceSteps);
    this.numInferenceSteps = numInferenceSteps;
    int[] descending = new int[ascending.length];
    for (int i = 0; i < ascending.length; i++) {
      descending[i] = ascending[ascending.length - 1 - i];
    }
    return descending;
  }

  /**
   * Returns the tail of {@link #timesteps(int)} that image-to-image (SDEdit) denoises for a
   * strength in [0, 1], as diffusers' img2img pipeline: the last ⌊n·strength⌋ timesteps. Noise the
   * source to the first of them (Eq. 1) and denoise from there. Fixes n like {@link
   * #timesteps(int)}.
   */
  public int[] timesteps(int numInferenceSteps, double strength) {
    if (!(strength >= 0 && strength <= 1)) {
      throw new IllegalArgumentException("strength must be in [0, 1], got " + strength);
    }
    int[] all = timesteps(numInferenceSteps);
    int kept = Math.min((int) (numInferenceSteps * strength), numInferenceSteps);
    return Arrays.copyOfRange(all, numInferenceSteps - kept, numInferenceSteps);
  }

  /** Returns the noised sample of Eq. 1 at timestep t (see {@link NoiseSchedule#addNoise}). */
  public NDArray addNoise(NDArray original, NDArray noise, int t) {
    return schedule.addNoise(original, noise, t);
  }

  /** Returns x_{t−Δ} from the model's noise prediction at (x_t, t), deterministically (η = 0). */
  @Override
  public NDArray step(NDArray modelOutput, int t, NDArray sample) {
    return step(modelOutput, t, sample, 0, (NDArray) null);
  }

  /**
   * Returns x_{t−Δ} with stochasticity η ≥ 0 (η = 1 gives DDPM's posterior variance) and the given
   * standard normal {@code noise} z, shaped like {@code sample}. The noise may be null when η is 0.
   */
  public NDArray step(NDArray modelOutput, int t, NDArray sample, double eta, NDArray noise) {
    // Notation (variable → symbol in DDIM, Song et al. 2021; Δ = ⌊T/n⌋):
    //   modelOutput        → ε_θ(x_t, t), the predicted noise
    //   sample             → x_t
    //   alphaBar           → ᾱ_t        (α_t in the DDIM paper)
    //   alphaBarPrev       → ᾱ_{t−Δ}    (α_{t−1} in the DDIM paper)
    //   sigma              → σ_t(η)
    //   noise              → z ~ N(0, I)
    //   predOriginalSample → x̂_0 = f_θ(x_t), "predicted x_0"        (in update)
    //   direction          → "direction pointing to x_t"            (in update)
    //   result             → x_{t−Δ}
    if (!(eta >= 0)) {
      throw new IllegalArgumentException("eta must be >= 0, got " + eta);
    }
    if (eta > 0 && noise == null) {
      throw new IllegalArgumentException("eta " + eta + " > 0 needs noise");
    }
    checkStepping();
    checkTimestep(t);
    // 1. the previous timestep t − Δ
    int prevT = t - config.numTrainTimesteps() / numInferenceSteps;
    // 2. ᾱ_t and ᾱ_{t−Δ}; before t = 0 the table ends: 1 if set_alpha_to_one, else ᾱ_0
    double alphaBar = alphasCumprod[t];
    double alphaBarPrev = prevT >= 0 ? alphasCumprod[prevT] : finalAlphaCumprod;
    // 3. σ_t(η) = η·√((1−ᾱ_{t−Δ})/(1−ᾱ_t))·√(1 − ᾱ_t/ᾱ_{t−Δ})   (DDIM Eq. 16)
    double sigma =
        eta * Math.sqrt((1 - alphaBarPrev) / (1 - alphaBar) * (1 - alphaBar / alphaBarPrev));
    // 4. x_{t−Δ} = √ᾱ_{t−Δ}·x̂_0 + √(1−ᾱ_{t−Δ}−σ_t²)·ε + σ_t·z    (DDIM Eq. 12)
    return update(
        modelOutput, sample, alphaBar, alphaBarPrev, sigma, eta > 0 ? noise : null, config);
  }

  /** Returns x_{t−Δ} with stochasticity η ≥ 0 and noise z drawn from {@code random}. */
  public NDArray step(NDArray modelOutput, int t, NDArray sample, double eta, Random random) {
    try (NDArray noise =
        GaussianNoise.sample(
            sample.getManager(), sample.getShape(), sample.getDataType(), random)) {
      return step(modelOutput, t, sample, eta, noise);
    }
  }

  /**
   * Returns the predicted original sample x̂_0 = (x_t − √(1−ᾱ_t)·ε)/√ᾱ_t at timestep t (DDIM Eq.
   * 12's "predicted x_0"), clipped when the config says so.
   */
  public NDArray predictOriginal(NDArray modelOutput, int t, NDArray sample) {
    checkTimestep(t);
    checkShapes(modelOutput, sample, null);
    try (NDScope scope = new NDScope()) {
      NDArray predOriginalSample = predictOriginal(modelOutput, sample, alphasCumprod[t], config);
      NDScope.unregister(predOriginalSample);
      return predOriginalSample;
    }
  }

  /**
   * DDIM's update (Eq. 12) moving {@code sample} x from noise level ᾱ_from to ᾱ_to with the noise
   * prediction ε = {@code modelOutput}: x' = √ᾱ_to·x̂_0 + √(1−ᾱ_to−σ²)·ε + σ·z. {@code noise} z is
   * null when σ = 0. The sampler and the inverse sampler share it and differ only in the levels.
   */
  static NDArray update(
      NDArray modelOutput,
      NDArray sample,
      double alphaBarFrom,
      double alphaBarTo,
      double sigma,
      NDArray noise,
      DdimConfig config) {
    checkShapes(modelOutput, sample, noise);
    try (NDScope scope = new NDScope()) {
      // 1. x̂_0 = (x − √(1−ᾱ_from)·ε)/√ᾱ_from, clipped if configured
      NDArray predOriginalSample = predictOriginal(modelOutput, sample, alphaBarFrom, config);
      // 2. direction pointing to x: √(1 − ᾱ_to − σ²)·ε
      NDArray direction = modelOutput.mul(Math.sqrt(1 - alphaBarTo - sigma * sigma));
      // 3. x' = √ᾱ_to·x̂_0 + direction (+ σ·z)
      NDArray result = predOriginalSample.mul(Math.sqrt(alphaBarTo)).add(direction);
      if (noise != null) {
        result = result.add(noise.mul(sigma));
      }
      NDScope.unregister(result);
      return result;
    }
  }

  /**
   * x̂_0 = (x − √(1−ᾱ)·ε)/√ᾱ, clipped to ±{@code clip_sample_range} if configured; its
   * intermediates belong to the caller's {@link NDScope}.
   */
  private static NDArray predictOriginal(
      NDArray modelOutput, NDArray sample, double alphaBar, DdimConfig config) {
    NDArray predOriginalSample =
        sample.sub(modelOutput.mul(Math.sqrt(1 - alphaBar))).div(Math.sqrt(alphaBar));
    return config.clipSample()
        ? predOriginalSample.clip(-config.clipSampleRange(), config.clipSampleRange())
        : predOriginalSample;
  }

  private static void checkShapes(NDArray modelOutput, NDArray sample, NDArray noise) {
    if (!modelOutput.getShape().equals(sample.getShape())) {
      throw new IllegalArgumentException(
          "model output "
              + modelOutput.getShape()
              + " and sample "
              + sample.getShape()
              + " differ in shape");
    }
    if (noise != null && !noise.getShape().equals(sample.getShape())) {
      throw new IllegalArgumentException(
          "noise " + noise.getShape() + " and sample " + sample.getShape() + " differ in shape");
    }
  }

  /**
   * Returns the n inference timesteps in ascending order for the config's spacing, exactly as
   * diffusers computes them; every one lies in [0, T).
   */
  static int[] ascendingTimesteps(DdimConfig config, int numInferenceSteps) {
    int trainSteps = config.numTrainTimesteps();
    if (numInferenceSteps < 1 || numInferenceSteps > trainSteps) {
      throw new IllegalArgumentException(
          "number of inference steps must be in [1, " + trainSteps + "], got " + numInferenceSteps);
    }
    int[] timesteps = new int[numInferenceSteps];
    // The arithmetic follows numpy's in diffusers' set_timesteps; Math.rint rounds half to even as
    // np.round does.
    double trailingRatio = trainSteps / (double) numInferenceSteps;
    double linspaceStep =
        numInferenceSteps == 1 ? 0 : (trainSteps - 1) / (double) (numInferenceSteps - 1);
    for (int i = 0; i < numInferenceSteps; i++) {
      timesteps[i] =
          switch (config.timestepSpacing()) {
            case LEADING -> i * (trainSteps / numInferenceSteps) + config.stepsOffset();
            case TRAILING ->
                (int) Math.rint(trainSteps - (numInferenceSteps - 1 - i) * trailingRatio) - 1;
            case LINSPACE -> (int) Math.rint(i * linspaceStep);
          };
    }
    int last = timesteps[numInferenceSteps - 1];
    if (last >= trainSteps) {
      throw new IllegalArgumentException(
          "timestep "
              + last
              + " (steps_offset "
              + config.stepsOffset()
              + ", "
              + numInferenceSteps
              + " steps) is outside [0, "
              + trainSteps
              + ")");
    }
    return timesteps;
  }

  private void checkStepping() {
    if (numInferenceSteps == 0) {
      throw new IllegalStateException("call timesteps(numInferenceSteps) before step");
    }
  }

  private void checkTimestep(int t) {
    if (t < 0 || t >= alphasCumprod.length) {
      throw new IllegalArgumentException(
          "timestep " + t + " is outside [0, " + alphasCumprod.length + ")");
    }
  }
}
