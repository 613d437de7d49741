package io.diffii.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.diffii.data.RgbImage;
import io.diffii.io.Digests;
import io.diffii.metrics.ClipScore;
import io.diffii.model.ClipModel;
import io.diffii.nn.Compute;
import io.diffii.nn.NoGrad;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Real-Filter's rule (He et al. 2022, as the comparison code applies it to Real-Gen's images): CLIP
 * classifies every synthetic image zero-shot over its class's prompts, the first of which says that
 * the image shows the class's item; the softmax probability of that first prompt is the image's
 * <em>positive confidence</em>, and the images whose confidence is below the 10th percentile of the
 * whole set's (numpy's default, linear interpolation between order statistics) are dropped.
 *
 * <p>The comparison code's prompts are "a photo with a [metaclass] on it" against "a photo without
 * a [metaclass] on it" ({@link #withWithout}); any transformers {@code CLIPModel} folder serves.
 * The embedded tiny CLIP never saw "with" or "without" (its captions name a coarse word and a
 * context), so the embedded benchmark asks it the one question it can answer: its class's coarse
 * prompt against the other coarse prompts ({@link #of}).
 *
 * @param clip a transformers {@code CLIPModel} folder
 * @param rule names the prompts, for settings and tables
 * @param prompts the zero-shot prompts of a class, the positive one first
 * @param dropFraction the fraction of the set's confidence distribution dropped (0.1)
 */
public record ClipFilter(
    Path clip, String rule, IntFunction<List<String>> prompts, double dropFraction) {

  /** The comparison code's fraction: the lowest 10 % are dropped. */
  public static final double DROP = 0.1;

  /** Checks the values (the folder is checked when used: {@link #requireModel}). */
  public ClipFilter {
    if (clip == null
        || rule == null
        || prompts == null
        || !(dropFraction >= 0 && dropFraction < 1)) {
      throw new IllegalArgumentException(
          "a CLIP filter needs a folder, a rule, prompts and a drop fraction in [0, 1), got "
              + dropFraction);
    }
  }

  /**
   * Returns the comparison code's filter: "a photo with a {metaclass} on it" against "a photo
   * without a {metaclass} on it", the lowest 10 % dropped, with the CLIP folder {@code clip}.
   */
  public static ClipFilter withWithout(Path clip, IntFunction<String> metaclass) {
    return new ClipFilter(
        clip,
        "with/without metaclass",
        c ->
            List.of(
                "a photo with a " + metaclass.apply(c) + " on it",
                "a photo without a " + metaclass.apply(c) + " on it"),
        DROP);
  }

  /** Returns a filter asking {@code prompts} of each class, the lowest 10 % dropped. */
  public static ClipFilter of(Path clip, String rule, IntFunction<List<String>> prompts) {
    return new ClipFilter(clip, rule, prompts, DROP);
  }

  /**
   * Fails with a message saying what a CLIP folder needs when {@link #clip} lacks its config or
   * weights.
   */
  public void requireModel() {
    for (String file : List.of("config.json", "model.safetensors")) {
      if (!Files.isRegularFile(clip.resolve(file))) {
        throw new IllegalArgumentException(
            "Real-Filter's CLIP folder "
                + clip.toAbsolutePath()
                + " has no "
                + file
                + ": give a transformers CLIPModel folder (config.json, model.safetensors, tokenizer"
                + " files), e.g. CLIPModel.from_pretrained(src).save_pretrained(dst,"
                + " safe_serialization=True)");
      }
    }
  }

  /** Returns what decides the filter for {@code classes} classes, as JSON (hashes and settings). */
  public JsonObject toJson(int classes) {
    JsonObject o = new JsonObject();
    o.addProperty("rule", rule);
    o.addProperty("clip_hash", Digests.ofFolder(clip));
    JsonArray all = new JsonArray();
    for (int c = 0; c < classes; c++) {
      JsonArray p = new JsonArray();
      prompts.apply(c).forEach(p::add);
      all.add(p);
    }
    o.add("prompts", all);
    o.addProperty("drop_fraction", dropFraction);
    return o;
  }

  /**
   * Returns each image's positive confidence, in the set's record order: the softmax probability of
   * its class's first prompt among its class's prompts.
   */
  public double[] confidences(SyntheticSet set) {
    requireModel();
    Map<Integer, List<Integer>> byClass = new LinkedHashMap<>();
    for (int i = 0; i < set.size(); i++) {
      byClass
          .computeIfAbsent(set.records().get(i).get("label").getAsInt(), k -> new ArrayList<>())
          .add(i);
    }
    double[] out = new double[set.size()];
    // Nothing here trains, so autograd records nothing (a notebook cell's thread has it on).
    try (NoGrad off = NoGrad.open();
        ClipModel model = ClipModel.load(clip);
        NDManager m = Compute.newManager()) {
      ClipScore score = new ClipScore(model);
      for (Map.Entry<Integer, List<Integer>> e : byClass.entrySet()) {
        List<String> classPrompts = prompts.apply(e.getKey());
        List<Integer> members = e.getValue();
        for (int from = 0; from < members.size(); from += 64) {
          List<Integer> chunk = members.subList(from, Math.min(members.size(), from + 64));
          try (NDManager scope = m.newSubManager()) {
            float[] p =
                score.zeroShotProbabilities(stack(scope, set, chunk), classPrompts).toFloatArray();
            for (int k = 0; k < chunk.size(); k++) {
              out[chunk.get(k)] = p[k * classPrompts.size()];
            }
          }
        }
      }
    }
    return out;
  }

  private static NDArray stack(NDManager m, SyntheticSet set, List<Integer> indices) {
    List<RgbImage> images = indices.stream().map(set::image).toList();
    RgbImage first = images.get(0);
    int per = first.data().length;
    float[] all = new float[Math.toIntExact((long) images.size() * per)];
    for (int k = 0; k < images.size(); k++) {
      RgbImage im = images.get(k);
      if (im.height() != first.height() || im.width() != first.width()) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "synthetic image %d is 3x%dx%d, the first of its batch 3x%dx%d: a synthetic set"
                    + " holds images of one size",
                indices.get(k),
                im.height(),
                im.width(),
                first.height(),
                first.width()));
      }
      System.arraycopy(im.data(), 0, all, k * per, per);
    }
    return m.create(all, new Shape(images.size(), 3, first.height(), first.width()));
  }

  /** Returns whether each image is kept: its confidence reaches {@link #threshold}. */
  public boolean[] kept(double[] confidences) {
    double t = threshold(confidences);
    boolean[] keep = new boolean[confidences.length];
    for (int i = 0; i < keep.length; i++) {
      keep[i] = confidences[i] >= t;
    }
    return keep;
  }

  /**
   * Returns the threshold below which confidences are dropped: the {@code 100·dropFraction}-th
   * percentile of {@code confidences} with numpy's linear interpolation, {@code x[⌊h⌋] + (h −
   * ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])} for sorted x and h = dropFraction·(n − 1).
   */
  public double threshold(double[] confidences) {
    if (confidences.length == 0) {
      throw new IllegalArgumentException("no images to filter");
    }
    double[] x = confidences.clone();
    Arrays.sort(x);
    double h = dropFraction * (x.length - 1);
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, x.length - 1);
    return x[lo] + (h - lo) * (x[hi] - x[lo]);
  }
}
