package io.diffii.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.diffii.model.ClipModel;
import java.util.List;

/**
 * CLIP-based measures of images against text: the CLIP score of Hessel et al. (2021) in the
 * torchmetrics scaling, \(100 · \max(\cos(E_I, E_T), 0)\) per image–prompt pair, and zero-shot
 * classification, \(\mathrm{softmax}_k(e^{\mathrm{logit\_scale}} \cos(E_I, E_{T_k}))\) over class
 * prompts (Radford et al. 2021), which Real-Filter uses. Images are {@code [B, 3, H, W]} in [0, 1];
 * the model's processor resizes and normalises them.
 */
public final class ClipScore {

  private final ClipModel clip;

  /** Measures with {@code clip}, which the caller keeps and closes. */
  public ClipScore(ClipModel clip) {
    this.clip = clip;
  }

  /** Returns the model. */
  public ClipModel model() {
    return clip;
  }

  /**
   * Returns the CLIP score {@code [B]} in [0, 100] of each image against its prompt: {@code
   * prompts} holds one prompt per image, or a single prompt for all of them.
   */
  public NDArray score(NDArray images, List<String> prompts) {
    long batch = images.getShape().get(0);
    if (prompts.size() != batch && prompts.size() != 1) {
      throw new IllegalArgumentException(
          "need one prompt per image (" + batch + ") or a single prompt, got " + prompts.size());
    }
    NDManager m = images.getManager();
    try (NDManager scope = m.newSubManager()) {
      NDArray imageEmbeds = clip.embedImages(images);
      imageEmbeds.attach(scope);
      NDArray textEmbeds = clip.embedTexts(prompts, scope);
      NDArray cos = imageEmbeds.mul(textEmbeds).sum(new int[] {1});
      NDArray score = cos.maximum(0f).mul(100f);
      score.attach(m);
      return score;
    }
  }

  /** Returns the mean CLIP score of {@link #score}. */
  public double meanScore(NDArray images, List<String> prompts) {
    try (NDArray s = score(images, prompts)) {
      return s.mean().getFloat();
    }
  }

  /**
   * Returns the zero-shot class probabilities {@code [B, K]} of each image over {@code
   * classPrompts} (one prompt per class), in the images' manager.
   */
  public NDArray zeroShotProbabilities(NDArray images, List<String> classPrompts) {
    if (classPrompts.size() < 2) {
      throw new IllegalArgumentException(
          "zero-shot classification needs at least 2 class prompts, got " + classPrompts);
    }
    NDManager m = images.getManager();
    try (NDManager scope = m.newSubManager()) {
      NDArray imageEmbeds = clip.embedImages(images);
      imageEmbeds.attach(scope);
      NDArray textEmbeds = clip.embedTexts(classPrompts, scope);
      NDArray logits = imageEmbeds.matMul(textEmbeds.transpose()).mul(clip.logitScaleExp());
      NDArray p = logits.softmax(1);
      p.attach(m);
      return p;
    }
  }

  /** Returns the index of the most probable class prompt for each image. */
  public int[] zeroShot(NDArray images, List<String> classPrompts) {
    try (NDArray p = zeroShotProbabilities(images, classPrompts)) {
      long[] best = p.argMax(1).toLongArray();
      int[] out = new int[best.length];
      for (int i = 0; i < best.length; i++) {
        out[i] = (int) best[i];
      }
      return out;
    }
  }
}
