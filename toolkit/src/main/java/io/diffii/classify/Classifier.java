package io.diffii.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.diffii.io.Safetensors;
import io.diffii.model.ResizeCrop;
import io.diffii.nn.NamedBlock;
import io.diffii.nn.Weights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A backbone with a linear head: images {@code [B, 3, S, S]} in [0, 1] ({@link #inputSize}: 32 for
 * the embedded backbones, 224 or 384 for torchvision's, see {@link Torchvision}) to features {@code
 * [B, F]} to logits {@code [B, classes]}. Saved as {@code config.json} + {@code model.safetensors}.
 */
public abstract class Classifier extends NamedBlock {

  /** Returns the penultimate features of images in [0, 1]. */
  public abstract NDArray features(ParameterStore store, NDArray images, boolean training);

  /** Returns the head (a linear layer named {@code head}). */
  public abstract io.diffii.nn.Linear head();

  /** Returns the number of classes of the head. */
  public abstract int classes();

  /**
   * Returns the side of the square images this classifier takes; 32, the embedded images', unless
   * the architecture says otherwise.
   */
  public int inputSize() {
    return 32;
  }

  /**
   * Returns how images of any size, real and synthetic alike, are brought to this classifier:
   * {@link ResizeCrop#square} of {@link #inputSize} (the embedded backbones: 32), unless the
   * backbone states its own ({@link Torchvision#RESNET50_TRANSFORM}). {@link LabeledImages#of}
   * applies it; {@link Trainer} rejects images of any other size.
   */
  public ResizeCrop transform() {
    return ResizeCrop.square(inputSize());
  }

  /** Returns the JSON config that {@link #load} rebuilds this classifier from. */
  public abstract JsonObject config();

  /** Returns a new classifier of the same architecture with a head for {@code classes} classes. */
  protected abstract Classifier withClasses(int classes);

  /** Returns the logits of images in [0, 1]. */
  public NDArray logits(ParameterStore store, NDArray images, boolean training) {
    return call(store, head(), features(store, images, training), training);
  }

  /** {@inheritDoc} Input: (images in [0, 1]); output: (logits). */
  @Override
  protected ai.djl.ndarray.NDList forwardInternal(
      ParameterStore store,
      ai.djl.ndarray.NDList inputs,
      boolean training,
      ai.djl.util.PairList<String, Object> params) {
    return new ai.djl.ndarray.NDList(logits(store, inputs.head(), training));
  }

  /** {@inheritDoc} */
  @Override
  public ai.djl.ndarray.types.Shape[] getOutputShapes(ai.djl.ndarray.types.Shape[] inputShapes) {
    return new ai.djl.ndarray.types.Shape[] {
      new ai.djl.ndarray.types.Shape(inputShapes[0].get(0), classes())
    };
  }

  /** Returns the logits of images in [0, 1], in inference mode. */
  public NDArray logits(NDArray images) {
    return logits(new ParameterStore(images.getManager(), false), images, false);
  }

  /** Returns the predicted class of each image. */
  public int[] predict(NDArray images) {
    int batch = 256;
    int n = (int) images.getShape().get(0);
    int[] out = new int[n];
    for (int from = 0; from < n; from += batch) {
      try (NDManager scope = images.getManager().newSubManager()) {
        NDArray part = images.get(from + ":" + Math.min(n, from + batch));
        part.attach(scope);
        long[] pred = logits(part).argMax(1).toLongArray();
        for (int i = 0; i < pred.length; i++) {
          out[from + i] = (int) pred[i];
        }
      }
    }
    return out;
  }

  /**
   * Returns a copy for fine-tuning on {@code classes} classes (the fine classes of a dataset): the
   * body's weights (and BatchNorm statistics) copied, a new head initialised from {@code manager}'s
   * engine seed.
   */
  public Classifier withNewHead(int classes, NDManager manager) {
    Classifier copy = withClasses(classes);
    copy.initializeParameters(manager);
    Set<NDArray> newHead = Collections.newSetFromMap(new IdentityHashMap<>());
    newHead.addAll(Weights.arrays(copy.head()).values());
    Map<String, NDArray> mine = Weights.arrays(this);
    Weights.arrays(copy)
        .forEach(
            (k, a) -> {
              if (!newHead.contains(a)) {
                a.set(mine.get(k).toFloatArray());
              }
            });
    return copy;
  }

  /**
   * Writes {@code config.json} and {@code model.safetensors} (fp16 when {@code half}) to {@code
   * dir}.
   */
  public void save(Path dir, boolean half) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("config.json"), new Gson().toJson(config()) + "\n");
      Safetensors.write(
          dir.resolve("model.safetensors"),
          Weights.arrays(this),
          half ? Safetensors.Dtype.F16 : Safetensors.Dtype.F32,
          Map.of("format", "pt"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write classifier to " + dir, e);
    }
  }

  /** Reads a classifier written by {@link #save}; its arrays live in {@code manager}. */
  public static Classifier load(Path dir, NDManager manager) {
    Classifier c = architecture(dir);
    try (NDManager scope = manager.newSubManager()) {
      Path weights = dir.resolve("model.safetensors");
      Weights.load(c, Safetensors.readAll(weights, scope), manager, Set.of(), weights.toString());
    }
    return c;
  }

  /**
   * Returns the {@link #transform} of the classifier saved in {@code dir}, from its {@code
   * config.json} alone (the weights are not read).
   */
  public static ResizeCrop transformOf(Path dir) {
    return architecture(dir).transform();
  }

  /** Returns the architecture {@code dir}'s {@code config.json} describes, without weights. */
  private static Classifier architecture(Path dir) {
    Path file = dir.resolve("config.json");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no classifier config " + file);
    }
    JsonObject config;
    try {
      config = new Gson().fromJson(Files.readString(file), JsonObject.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    String type = config.get("type").getAsString();
    return switch (type) {
      case "resnet" -> ResNet.fromConfig(config);
      case "vit" -> VisionTransformer.fromConfig(config);
      case "torchvision_resnet" -> TorchvisionResNet.fromConfig(config);
      case "torchvision_vit" -> TorchvisionViT.fromConfig(config);
      default -> throw new IllegalArgumentException(file + ": unknown classifier type " + type);
    };
  }

  /** ImageNet's channel means (RGB), subtracted before torchvision's networks. */
  public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};

  /** ImageNet's channel standard deviations (RGB), divided by after the means. */
  public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  /**
   * Returns images {@code [B, 3, size, size]} in [0, 1] normalised with ImageNet's mean and std, as
   * torchvision's transforms do; any other shape is an error ({@link #requireSize}).
   */
  protected static NDArray imageNet(NDArray images, int size) {
    requireSize(images, size);
    NDManager m = images.getManager();
    Shape perChannel = new Shape(1, 3, 1, 1);
    return images.sub(m.create(IMAGENET_MEAN, perChannel)).div(m.create(IMAGENET_STD, perChannel));
  }

  /**
   * Rejects images that are not {@code [B, 3, size, size]}: an architecture made for one input size
   * never resizes (see {@link #transform}).
   */
  protected static void requireSize(NDArray images, int size) {
    Shape s = images.getShape();
    if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != size || s.get(3) != size) {
      throw new IllegalArgumentException(
          "this classifier takes images [B, 3, "
              + size
              + ", "
              + size
              + "] in [0, 1] (resize and crop them first), got "
              + s);
    }
  }

  /** Normalises images in [0, 1] to [−1, 1], the input range of both backbones. */
  protected static NDArray normalise(NDArray images) {
    return images.mul(2).sub(1);
  }
}
