package io.diffii.classify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.google.gson.JsonObject;
import io.diffii.nn.Conv2d;
import io.diffii.nn.LayerNorm;
import io.diffii.nn.Linear;
import io.diffii.nn.MultiheadAttention;
import io.diffii.nn.NamedBlock;
import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's Vision Transformer ({@code
 * torchvision.models.vision_transformer.VisionTransformer}) with its parameter names: patches
 * embedded by {@code conv_proj} (a patch×patch convolution of stride patch), the {@code
 * class_token} prepended, {@code encoder.pos_embedding} added, pre-norm blocks {@code
 * encoder.layers.encoder_layer_i} ({@code ln_1}, {@code self_attention}, {@code ln_2}, {@code
 * mlp.0} + exact GELU + {@code mlp.3}; layer norms with ε = 1e-6), {@code encoder.ln}, and the head
 * {@code heads.head} on the class token. Images {@code [B, 3, S, S]} in [0, 1] are normalised with
 * ImageNet's mean and std here. Dropout is 0 in torchvision's builders, so training and inference
 * compute the same function.
 *
 * <p>ViT-B/16 is patch 16, 12 layers, 12 heads, width 768, MLP 3072 ({@link Torchvision#vitB16}, at
 * S = 384); smaller settings build the same architecture at a size a test can hold.
 */
public final class TorchvisionViT extends Classifier {

  private final int imageSize;
  private final int patch;
  private final int layers;
  private final int heads;
  private final int hidden;
  private final int mlp;
  private final int classes;
  private final Conv2d convProj;
  private final Parameter classToken;
  private final Encoder encoder;
  private final Linear head;

  /**
   * Builds a ViT for {@code imageSize}-pixel square images cut into {@code patch}-pixel patches,
   * with {@code layers} blocks of width {@code hidden} in {@code heads} heads and MLP width {@code
   * mlp}.
   */
  public TorchvisionViT(
      int imageSize, int patch, int layers, int heads, int hidden, int mlp, int classes) {
    if (patch <= 0 || imageSize % patch != 0 || layers <= 0 || mlp <= 0 || classes <= 0) {
      throw new IllegalArgumentException(
          "invalid ViT: image " + imageSize + ", patch " + patch + ", layers " + layers);
    }
    this.imageSize = imageSize;
    this.patch = patch;
    this.layers = layers;
    this.heads = heads;
    this.hidden = hidden;
    this.mlp = mlp;
    this.classes = classes;
    int tokens = (imageSize / patch) * (imageSize / patch) + 1;
    this.convProj = module("conv_proj", new Conv2d(3, hidden, patch, patch, 0));
    this.classToken = parameter("class_token", Parameter.Type.OTHER, new Shape(1, 1, hidden));
    this.encoder = module("encoder", new Encoder(tokens, layers, heads, hidden, mlp));
    this.head = module("heads.head", new Linear(hidden, classes));
  }

  static TorchvisionViT fromConfig(JsonObject c) {
    return new TorchvisionViT(
        c.get("image_size").getAsInt(),
        c.get("patch").getAsInt(),
        c.get("layers").getAsInt(),
        c.get("heads").getAsInt(),
        c.get("hidden").getAsInt(),
        c.get("mlp").getAsInt(),
        c.get("classes").getAsInt());
  }

  /** {@inheritDoc} */
  @Override
  public JsonObject config() {
    JsonObject c = new JsonObject();
    c.addProperty("type", "torchvision_vit");
    c.addProperty("image_size", imageSize);
    c.addProperty("patch", patch);
    c.addProperty("layers", layers);
    c.addProperty("heads", heads);
    c.addProperty("hidden", hidden);
    c.addProperty("mlp", mlp);
    c.addProperty("classes", classes);
    return c;
  }

  /** {@inheritDoc} */
  @Override
  protected Classifier withClasses(int newClasses) {
    return new TorchvisionViT(imageSize, patch, layers, heads, hidden, mlp, newClasses);
  }

  /** {@inheritDoc} */
  @Override
  public int inputSize() {
    return imageSize;
  }

  /** {@inheritDoc} */
  @Override
  public NDArray features(ParameterStore store, NDArray images, boolean training) {
    NDArray x = call(store, convProj, imageNet(images, imageSize), training);
    long b = x.getShape().get(0);
    NDArray tokens = x.reshape(b, hidden, -1).transpose(0, 2, 1);
    // Parameter views are taken in the activations' manager, so nothing lands in the weights'.
    NDArray cls =
        value(store, tokens, classToken, training)
            .get(tokens.getManager(), new NDIndex("..."))
            .repeat(0, b);
    NDArray h = encoder.forward(store, NDArrays.concat(new NDList(cls, tokens), 1), training);
    return h.get(new NDIndex(":, 0, :"));
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

  /** torchvision's {@code Encoder}: position embedding, the blocks, the final layer norm. */
  static final class Encoder extends NamedBlock {
    private final Parameter positions;
    private final List<EncoderBlock> blocks = new ArrayList<>();
    private final LayerNorm ln;

    Encoder(int tokens, int layers, int heads, int hidden, int mlp) {
      positions = parameter("pos_embedding", Parameter.Type.OTHER, new Shape(1, tokens, hidden));
      for (int i = 0; i < layers; i++) {
        blocks.add(module("layers.encoder_layer_" + i, new EncoderBlock(heads, hidden, mlp)));
      }
      ln = module("ln", new LayerNorm(hidden, 1e-6f));
    }

    NDArray forward(ParameterStore store, NDArray x, boolean training) {
      NDArray h = x.add(value(store, x, positions, training));
      for (EncoderBlock block : blocks) {
        h = block.forward(store, h, training);
      }
      return call(store, ln, h, training);
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      return new NDList(forward(store, inputs.head(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return inputShapes;
    }
  }

  /** torchvision's {@code EncoderBlock}: h + attention(ln_1(h)), then h + mlp(ln_2(h)). */
  static final class EncoderBlock extends NamedBlock {
    private final LayerNorm ln1;
    private final MultiheadAttention attention;
    private final LayerNorm ln2;
    private final Linear fc1;
    private final Linear fc2;

    EncoderBlock(int heads, int hidden, int mlp) {
      ln1 = module("ln_1", new LayerNorm(hidden, 1e-6f));
      attention = module("self_attention", new MultiheadAttention(hidden, heads));
      ln2 = module("ln_2", new LayerNorm(hidden, 1e-6f));
      fc1 = module("mlp.0", new Linear(hidden, mlp));
      fc2 = module("mlp.3", new Linear(mlp, hidden));
    }

    NDArray forward(ParameterStore store, NDArray h, boolean training) {
      h = h.add(call(store, attention, call(store, ln1, h, training), training));
      NDArray y = Activation.gelu(call(store, fc1, call(store, ln2, h, training), training));
      return h.add(call(store, fc2, y, training));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      return new NDList(forward(store, inputs.head(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return inputShapes;
    }
  }
}
