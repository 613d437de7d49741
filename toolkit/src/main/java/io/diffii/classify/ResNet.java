package io.diffii.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.diffii.nn.Conv2d;
import io.diffii.nn.GroupNorm;
import io.diffii.nn.Linear;
import io.diffii.nn.ModuleList;
import io.diffii.nn.NamedBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * A small CIFAR-style ResNet for 32×32 images: a 3×3 stem, stages of basic blocks (two 3×3
 * convolutions with a residual, stride 2 entering each stage after the first), global average
 * pooling and a linear head. Group normalisation replaces batch normalisation: no running
 * statistics, so few-shot batches of any size train and evaluate the same way.
 */
public final class ResNet extends Classifier {

  private final int[] widths;
  private final int blocksPerStage;
  private final int classes;
  private final Conv2d stem;
  private final GroupNorm stemNorm;
  private final ModuleList<BasicBlock> blocks;
  private final Linear head;

  /** Builds a ResNet with stage widths {@code widths}, {@code blocksPerStage} blocks each. */
  public ResNet(int[] widths, int blocksPerStage, int classes) {
    if (widths.length == 0 || blocksPerStage <= 0 || classes <= 0) {
      throw new IllegalArgumentException("ResNet needs stages, blocks and classes");
    }
    this.widths = widths.clone();
    this.blocksPerStage = blocksPerStage;
    this.classes = classes;
    this.stem = module("stem", new Conv2d(3, widths[0], 3, 1, 1));
    this.stemNorm = module("stem_norm", new GroupNorm(8, widths[0], 1e-5f));
    this.blocks = module("blocks", new ModuleList<>());
    int in = widths[0];
    for (int s = 0; s < widths.length; s++) {
      for (int b = 0; b < blocksPerStage; b++) {
        int stride = s > 0 && b == 0 ? 2 : 1;
        blocks.add(new BasicBlock(in, widths[s], stride));
        in = widths[s];
      }
    }
    this.head = module("head", new Linear(in, classes));
  }

  /** Returns the shipped backbone's architecture: widths (32, 64, 128), one block per stage. */
  public static ResNet small(int classes) {
    return new ResNet(new int[] {32, 64, 128}, 1, classes);
  }

  static ResNet fromConfig(JsonObject c) {
    JsonArray w = c.getAsJsonArray("widths");
    int[] widths = new int[w.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = w.get(i).getAsInt();
    }
    return new ResNet(widths, c.get("blocks_per_stage").getAsInt(), c.get("classes").getAsInt());
  }

  /** {@inheritDoc} */
  @Override
  public JsonObject config() {
    JsonObject c = new JsonObject();
    c.addProperty("type", "resnet");
    JsonArray w = new JsonArray();
    for (int x : widths) {
      w.add(x);
    }
    c.add("widths", w);
    c.addProperty("blocks_per_stage", blocksPerStage);
    c.addProperty("classes", classes);
    return c;
  }

  /** {@inheritDoc} */
  @Override
  protected Classifier withClasses(int newClasses) {
    return new ResNet(widths, blocksPerStage, newClasses);
  }

  /** {@inheritDoc} */
  @Override
  public NDArray features(ParameterStore store, NDArray images, boolean training) {
    NDArray h = call(store, stem, normalise(images), training);
    h = Activation.relu(call(store, stemNorm, h, training));
    for (BasicBlock b : blocks.items()) {
      h = b.forward(store, h, training);
    }
    return h.reshape(h.getShape().get(0), h.getShape().get(1), -1).mean(new int[] {2});
  }

  /**
   * Returns the activations LPIPS compares (see {@code io.diffii.metrics.Lpips}) for images in [0,
   * 1]: after the stem's ReLU, then after the last block of each stage — for the shipped widths
   * {@code [B, 32, 32, 32]}, {@code [B, 32, 32, 32]}, {@code [B, 64, 16, 16]}, {@code [B, 128, 8,
   * 8]} on 32×32 images.
   */
  public List<NDArray> stageFeatures(ParameterStore store, NDArray images, boolean training) {
    List<NDArray> out = new ArrayList<>();
    NDArray h = call(store, stem, normalise(images), training);
    h = Activation.relu(call(store, stemNorm, h, training));
    out.add(h);
    List<BasicBlock> all = blocks.items();
    for (int i = 0; i < all.size(); i++) {
      h = all.get(i).forward(store, h, training);
      if ((i + 1) % blocksPerStage == 0) {
        out.add(h);
      }
    }
    return out;
  }

  /** {@inheritDoc} */
  @Override
  public Linear head() {
    return head;
  }

  /** {@inheritDoc} */
  @Override
  public int classes() {
    return classes;
  }

  /** conv-norm-relu-conv-norm plus the input (projected when the shape changes), then relu. */
  static final class BasicBlock extends NamedBlock {
    private final Conv2d conv1;
    private final GroupNorm norm1;
    private final Conv2d conv2;
    private final GroupNorm norm2;
    private final Conv2d shortcut;

    BasicBlock(int in, int out, int stride) {
      conv1 = module("conv1", new Conv2d(in, out, 3, stride, 1));
      norm1 = module("norm1", new GroupNorm(8, out, 1e-5f));
      conv2 = module("conv2", new Conv2d(out, out, 3, 1, 1));
      norm2 = module("norm2", new GroupNorm(8, out, 1e-5f));
      shortcut =
          in != out || stride != 1 ? module("shortcut", new Conv2d(in, out, 1, stride, 0)) : null;
    }

    NDArray forward(ParameterStore store, NDArray x, boolean training) {
      NDArray h = Activation.relu(call(store, norm1, call(store, conv1, x, training), training));
      h = call(store, norm2, call(store, conv2, h, training), training);
      NDArray skip = shortcut == null ? x : call(store, shortcut, x, training);
      return Activation.relu(h.add(skip));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      return new NDList(forward(store, inputs.head(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      throw new UnsupportedOperationException("shape depends on stride; called through ResNet");
    }
  }
}
