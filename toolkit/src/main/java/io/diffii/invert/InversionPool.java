package io.diffii.invert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.diffii.data.ImageDataset;
import io.diffii.data.RgbImage;
import io.diffii.io.AtomicFiles;
import io.diffii.io.Progress;
import io.diffii.io.Safetensors;
import io.diffii.pipeline.PromptSchedule;
import io.diffii.pipeline.SdPipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The inversion pool of a training set (paper Sec. 3.2.1): every image DDIM-inverted, with its
 * class's concept prompt and guidance 1, into the noise latent that sampling turns back into it.
 * Each latent is written as it is made ({@code <dir>/<label>/<image id>.safetensors}, tensor {@code
 * latent}), so an interrupted build resumes where it stopped and a rebuild skips what exists.
 *
 * <pre>{@code
 * InversionPool pool = InversionPool.build(pipe, train, concepts::prompt, runDir.resolve("pool"), 50);
 * NDArray z = pool.latent(manager, label, 0);
 * }</pre>
 *
 * Images of any size are brought to the model's resolution first ({@link
 * io.diffii.model.StableDiffusion#transform}: shorter side resized, centre cropped), so one batch
 * may mix sizes. The embedded default is 50 inversion steps; the released Stable Diffusion setting
 * is 200.
 */
public final class InversionPool {

  /** One pooled latent: the source image's id and class, and its file. */
  public record Entry(String id, int label, Path file) {}

  /**
   * Images read and inverted together (one class at a time); the pipeline runs them through the
   * models in micro-batches of the memory budget ({@link io.diffii.model.MicroBatch}).
   */
  public static final int BATCH = 64;

  private final List<List<Entry>> byClass;
  private final int steps;

  private InversionPool(List<List<Entry>> byClass, int steps) {
    this.byClass = byClass;
    this.steps = steps;
  }

  /**
   * Inverts every image of {@code train} not yet in {@code dir} over {@code steps} steps, each
   * conditioned on {@code prompt.apply(label)}, and returns the pool of all of them. A latent
   * already in {@code dir} must have been made with the same number of steps.
   */
  public static InversionPool build(
      SdPipeline pipe, ImageDataset train, IntFunction<String> prompt, Path dir, int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("inversion needs at least one step, got " + steps);
    }
    List<List<Entry>> byClass = new ArrayList<>();
    train.classNames().forEach(n -> byClass.add(new ArrayList<>()));
    List<Integer> todo = new ArrayList<>();
    for (int i = 0; i < train.size(); i++) {
      var s = train.get(i);
      Entry e =
          new Entry(
              s.id(),
              s.label(),
              dir.resolve(Integer.toString(s.label())).resolve(fileName(s.id())));
      byClass.get(s.label()).add(e);
      if (Files.isRegularFile(e.file())) {
        checkSteps(e.file(), steps);
      } else {
        todo.add(i);
      }
    }
    // Batches never mix classes, so each batch shares one prompt.
    todo.sort((a, b) -> Integer.compare(train.label(a), train.label(b)));
    Progress progress = todo.isEmpty() ? null : new Progress("inverting", todo.size());
    for (int from = 0; from < todo.size(); ) {
      int label = train.label(todo.get(from));
      int to = from;
      while (to < todo.size() && to - from < BATCH && train.label(todo.get(to)) == label) {
        to++;
      }
      invertBatch(pipe, train, todo.subList(from, to), prompt.apply(label), dir, steps);
      progress.advance(to - from, train.classNames().get(label));
      from = to;
    }
    byClass.replaceAll(Collections::unmodifiableList);
    return new InversionPool(Collections.unmodifiableList(byClass), steps);
  }

  private static void invertBatch(
      SdPipeline pipe,
      ImageDataset train,
      List<Integer> indices,
      String prompt,
      Path dir,
      int steps) {
    try (NDManager scope = pipe.model().manager().newSubManager()) {
      NDList images = new NDList();
      for (int i : indices) {
        images.add(modelInput(scope, pipe, train, i));
      }
      NDArray latents = pipe.encode(NDArrays.concat(images));
      NDArray noise = pipe.invert(latents, Collections.nCopies(indices.size(), prompt), steps, 1.0);
      for (int b = 0; b < indices.size(); b++) {
        var s = train.get(indices.get(b));
        Path file = dir.resolve(Integer.toString(s.label())).resolve(fileName(s.id()));
        write(
            file,
            noise.get(b),
            Map.of("steps", Integer.toString(steps), "prompt", prompt, "source", s.id()));
      }
    }
  }

  /**
   * Returns image {@code i} as {@code [1, 3, S, S]}, brought to the model's resolution S by its
   * {@link io.diffii.model.StableDiffusion#transform}.
   */
  private static NDArray modelInput(NDManager scope, SdPipeline pipe, ImageDataset train, int i) {
    RgbImage im = pipe.model().transform().apply(train.image(i));
    return scope.create(im.data(), new Shape(1, 3, im.height(), im.width()));
  }

  private static void write(Path file, NDArray latent, Map<String, String> metadata) {
    AtomicFiles.write(
        file,
        "inversion",
        tmp -> Safetensors.write(tmp, Map.of("latent", latent), Safetensors.Dtype.F32, metadata));
  }

  private static void checkSteps(Path file, int steps) {
    try (Safetensors st = Safetensors.open(file)) {
      String saved = st.metadata().get("steps");
      if (!Integer.toString(steps).equals(saved)) {
        throw new IllegalArgumentException(
            file
                + " was inverted with "
                + saved
                + " steps, not "
                + steps
                + ": use another pool folder");
      }
    }
  }

  /** Returns a file name for an image id, which may contain '/' (ImageFolder paths). */
  static String fileName(String id) {
    return id.replaceAll("[^A-Za-z0-9._-]", "_") + ".safetensors";
  }

  /** Returns the number of classes. */
  public int classes() {
    return byClass.size();
  }

  /** Returns the pooled images of class {@code label}, in dataset order. */
  public List<Entry> entries(int label) {
    return byClass.get(label);
  }

  /** Returns the number of inversion steps. */
  public int steps() {
    return steps;
  }

  /** Returns latent {@code index} of class {@code label} ({@code [c, h, w]}) in {@code manager}. */
  public NDArray latent(NDManager manager, int label, int index) {
    Path file = byClass.get(label).get(index).file();
    try (Safetensors st = Safetensors.open(file)) {
      return st.read("latent", manager);
    }
  }

  /**
   * Regenerates every pooled image of {@code classes} from its latent (guidance 1, the pool's
   * steps, the same prompt) and returns the mean PSNR in dB against the autoencoder's
   * reconstruction of the image: how faithful the round trip is.
   */
  public double reconstructionPsnr(
      SdPipeline pipe, ImageDataset train, IntFunction<String> prompt, List<Integer> classes) {
    Map<String, Integer> index = new java.util.HashMap<>();
    for (int i = 0; i < train.size(); i++) {
      index.put(train.label(i) + "/" + train.get(i).id(), i);
    }
    double sum = 0;
    int n = 0;
    for (int label : classes) {
      try (NDManager scope = pipe.model().manager().newSubManager()) {
        NDList real = new NDList();
        NDList noise = new NDList();
        for (int j = 0; j < entries(label).size(); j++) {
          Entry e = entries(label).get(j);
          Integer at = index.get(e.label() + "/" + e.id());
          if (at == null) {
            throw new IllegalArgumentException(
                "image " + e.id() + " of the pool is not in the dataset");
          }
          real.add(modelInput(scope, pipe, train, at));
          noise.add(latent(scope, label, j).expandDims(0));
        }
        if (real.isEmpty()) {
          continue;
        }
        NDArray reference = pipe.decode(pipe.encode(NDArrays.concat(real)));
        NDArray start = NDArrays.concat(noise);
        NDArray cond = pipe.embed(scope, Collections.nCopies(real.size(), prompt.apply(label)));
        NDArray back = pipe.decode(pipe.sample(start, PromptSchedule.constant(cond), steps, 1.0));
        float[] mse =
            back.sub(reference)
                .square()
                .reshape(real.size(), -1)
                .mean(new int[] {1})
                .toFloatArray();
        for (float m : mse) {
          sum += 10 * Math.log10(1 / Math.max(m, 1e-12));
          n++;
        }
      }
    }
    return sum / n;
  }

  /** {@inheritDoc} */
  @Override
  public String toString() {
    int total = byClass.stream().mapToInt(List::size).sum();
    return String.format(
        Locale.ROOT, "InversionPool(%d latents, %d classes, %d steps)", total, classes(), steps);
  }
}
