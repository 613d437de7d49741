package io.diffii.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.diffii.model.ResizeCrop;
import io.diffii.nn.BatchNorm2d;
import io.diffii.nn.Conv2d;
import io.diffii.nn.Linear;
import io.diffii.nn.ModuleList;
import io.diffii.nn.NamedBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's bottleneck ResNet ({@code torchvision.models.resnet.ResNet(Bottleneck, ...)},
 * "ResNet v1.5": stride on the 3×3 convolution), with its parameter names: a 7×7 stride-2 stem
 * {@code conv1} + {@code bn1} + ReLU + 3×3 stride-2 max pool, stages {@code layer1}…{@code layerN}
 * of bottleneck blocks ({@code conv1} 1×1, {@code conv2} 3×3, {@code conv3} 1×1 to 4× the stage's
 * planes, each followed by batch norm; {@code downsample.0}/{@code .1} projecting the residual
 * where the shape changes), global average pooling and the linear head {@code fc}. Images {@code
 * [B, 3, S, S]} in [0, 1] are normalised with ImageNet's mean and std here.
 *
 * <p>ResNet-50 is planes (64, 128, 256, 512) with (3, 4, 6, 3) blocks at S = 224 ({@link
 * Torchvision#resnet50}); smaller planes build the same architecture at a size a test can hold.
 */
public final class TorchvisionResNet extends Classifier {

  /** A bottleneck's output has this many times its planes. */
  static final int EXPANSION = 4;

  private final int[] planes;
  private final int[] blocks;
  private final int classes;
  private final int imageSize;
  private final Conv2d conv1;
  private final BatchNorm2d bn1;
  private final List<ModuleList<Bottleneck>> stages = new ArrayList<>();
  private final Linear fc;

  /**
   * Builds the network with {@code planes[i]} planes and {@code blocks[i]} blocks in stage i (the
   * stem has {@code planes[0]} channels), for {@code imageSize}-pixel square images.
   */
  public TorchvisionResNet(int[] planes, int[] blocks, int classes, int imageSize) {
    if (planes.length == 0 || planes.length != blocks.length || classes <= 0 || imageSize <= 0) {
      throw new IllegalArgumentException(
          "ResNet needs as many stage widths as block counts, classes and an image size");
    }
    this.planes = planes.clone();
    this.blocks = blocks.clone();
    this.classes = classes;
    this.imageSize = imageSize;
    this.conv1 = module("conv1", new Conv2d(3, planes[0], 7, 2, 3, false));
    this.bn1 = module("bn1", new BatchNorm2d(planes[0]));
    int in = planes[0];
    for (int s = 0; s < planes.length; s++) {
      ModuleList<Bottleneck> stage = module("layer" + (s + 1), new ModuleList<>());
      for (int b = 0; b < blocks[s]; b++) {
        stage.add(new Bottleneck(in, planes[s], s > 0 && b == 0 ? 2 : 1));
        in = planes[s] * EXPANSION;
      }
      stages.add(stage);
    }
    this.fc = module("fc", new Linear(in, classes));
  }

  static TorchvisionResNet fromConfig(JsonObject c) {
    return new TorchvisionResNet(
        ints(c.getAsJsonArray("planes")),
        ints(c.getAsJsonArray("blocks")),
        c.get("classes").getAsInt(),
        c.get("image_size").getAsInt());
  }

  private static int[] ints(JsonArray a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsInt();
    }
    return out;
  }

  private static JsonArray array(int[] xs) {
    JsonArray a = new JsonArray();
    for (int x : xs) {
      a.add(x);
    }
    return a;
  }

  /** {@inheritDoc} */
  @Override
  public JsonObject config() {
    JsonObject c = new JsonObject();
    c.addProperty("type", "torchvision_resnet");
    c.add("planes", array(planes));
    c.add("blocks", array(blocks));
    c.addProperty("classes", classes);
    c.addProperty("image_size", imageSize);
    return c;
  }

  /** {@inheritDoc} */
  @Override
  protected Classifier withClasses(int newClasses) {
    return new TorchvisionResNet(planes, blocks, newClasses, imageSize);
  }

  /** {@inheritDoc} */
  @Override
  public int inputSize() {
    return imageSize;
  }

  /**
   * Returns torchvision's ResNet transform at this input size: the shorter side resized by the
   * ratio of {@link Torchvision#RESNET50_TRANSFORM} (256/224, so 256 at 224 px), the centre {@link
   * #inputSize} cropped.
   */
  @Override
  public ResizeCrop transform() {
    ResizeCrop full = Torchvision.RESNET50_TRANSFORM;
    return new ResizeCrop(Math.round((float) imageSize * full.resize() / full.crop()), imageSize);
  }

  /** {@inheritDoc} */
  @Override
  public NDArray features(ParameterStore store, NDArray images, boolean training) {
    NDArray x = call(store, conv1, imageNet(images, imageSize), training);
    x = Activation.relu(call(store, bn1, x, training));
    x = Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
    for (ModuleList<Bottleneck> stage : stages) {
      for (Bottleneck b : stage.items()) {
        x = b.forward(store, x, training);
      }
    }
    return x.reshape(x.getShape().get(0), x.getShape().get(1), -1).mean(new int[] {2});
  }

  /** {@inheritDoc} */
  @Override
  public Linear head() {
    return fc;
  }

  /** {@inheritDoc} */
  @Override
  public int classes() {
    return classes;
  }

  /** torchvision's {@code Bottleneck}: 1×1, 3×3 (strided), 1×1 convolutions plus the residual. */
  static final class Bottleneck extends NamedBlock {
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Conv2d conv3;
    private final BatchNorm2d bn3;
    private final Conv2d downConv;
    private final BatchNorm2d downNorm;

    Bottleneck(int in, int planes, int stride) {
      int out = planes * EXPANSION;
      conv1 = module("conv1", new Conv2d(in, planes, 1, 1, 0, false));
      bn1 = module("bn1", new BatchNorm2d(planes));
      conv2 = module("conv2", new Conv2d(planes, planes, 3, stride, 1, false));
      bn2 = module("bn2", new BatchNorm2d(planes));
      conv3 = module("conv3", new Conv2d(planes, out, 1, 1, 0, false));
      bn3 = module("bn3", new BatchNorm2d(out));
      boolean project = stride != 1 || in != out;
      downConv = project ? module("downsample.0", new Conv2d(in, out, 1, stride, 0, false)) : null;
      downNorm = project ? module("downsample.1", new BatchNorm2d(out)) : null;
    }

    NDArray forward(ParameterStore store, NDArray x, boolean training) {
      NDArray h = Activation.relu(call(store, bn1, call(store, conv1, x, training), training));
      h = Activation.relu(call(store, bn2, call(store, conv2, h, training), training));
      h = call(store, bn3, call(store, conv3, h, training), training);
      NDArray skip =
          downConv == null
              ? x
              : call(store, downNorm, call(store, downConv, x, training), training);
      return Activation.relu(h.add(skip));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      return new NDList(forward(store, inputs.head(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      throw new UnsupportedOperationException("shape depends on stride; called through the ResNet");
    }
  }
}
