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
import io.diffii.nn.Attention;
import io.diffii.nn.Conv2d;
import io.diffii.nn.LayerNorm;
import io.diffii.nn.Linear;
import io.diffii.nn.ModuleList;
import io.diffii.nn.NamedBlock;

/**
 * A small Vision Transformer for 32×32 images: non-overlapping patches embedded by a strided
 * convolution, a class token, learned position embeddings, pre-norm blocks (multi-head
 * self-attention, GELU MLP), a final layer norm and a linear head on the class token.
 */
public final class VisionTransformer extends Classifier {

  private final int patch;
  private final int dim;
  private final int depth;
  private final int heads;
  private final int classes;
  private final Conv2d patchEmbed;
  private final Parameter clsToken;
  private final Parameter positions;
  private final ModuleList<Block> blocks;
  private final LayerNorm norm;
  private final Linear head;

  /** Builds a ViT with the given patch size, width, depth, heads and classes. */
  public VisionTransformer(int patch, int dim, int depth, int heads, int classes) {
    if (32 % patch != 0 || dim % heads != 0 || depth <= 0 || classes <= 0) {
      throw new IllegalArgumentException(
          "invalid ViT: patch " + patch + ", dim " + dim + ", heads " + heads);
    }
    this.patch = patch;
    this.dim = dim;
    this.depth = depth;
    this.heads = heads;
    this.classes = classes;
    int tokens = (32 / patch) * (32 / patch) + 1;
    this.patchEmbed = module("patch_embed", new Conv2d(3, dim, patch, patch, 0));
    this.clsToken = parameter("cls_token", Parameter.Type.OTHER, new Shape(1, 1, dim));
    this.positions = parameter("pos_embed", Parameter.Type.OTHER, new Shape(1, tokens, dim));
    this.blocks = module("blocks", new ModuleList<>());
    for (int i = 0; i < depth; i++) {
      blocks.add(new Block(dim, heads));
    }
    this.norm = module("norm", new LayerNorm(dim, 1e-6f));
    this.head = module("head", new Linear(dim, classes));
  }

  /** Returns the shipped backbone's architecture: patch 4, width 128, depth 4, 4 heads. */
  public static VisionTransformer small(int classes) {
    return new VisionTransformer(4, 128, 4, 4, classes);
  }

  static VisionTransformer fromConfig(JsonObject c) {
    return new VisionTransformer(
        c.get("patch").getAsInt(),
        c.get("dim").getAsInt(),
        c.get("depth").getAsInt(),
        c.get("heads").getAsInt(),
        c.get("classes").getAsInt());
  }

  /** {@inheritDoc} */
  @Override
  public JsonObject config() {
    JsonObject c = new JsonObject();
    c.addProperty("type", "vit");
    c.addProperty("patch", patch);
    c.addProperty("dim", dim);
    c.addProperty("depth", depth);
    c.addProperty("heads", heads);
    c.addProperty("classes", classes);
    return c;
  }

  /** {@inheritDoc} */
  @Override
  protected Classifier withClasses(int newClasses) {
    return new VisionTransformer(patch, dim, depth, heads, newClasses);
  }

  /** {@inheritDoc} Parameters of type OTHER start small, as ViTs initialise them. */
  @Override
  public void initializeParameters(ai.djl.ndarray.NDManager manager) {
    if (!clsToken.isInitialized()) {
      clsToken.setInitializer(new ai.djl.training.initializer.NormalInitializer(0.02f));
      positions.setInitializer(new ai.djl.training.initializer.NormalInitializer(0.02f));
    }
    super.initializeParameters(manager);
  }

  /** {@inheritDoc} */
  @Override
  public NDArray features(ParameterStore store, NDArray images, boolean training) {
    requireSize(images, inputSize());
    NDArray x = call(store, patchEmbed, normalise(images), training);
    long b = x.getShape().get(0);
    NDArray tokens = x.reshape(b, dim, -1).transpose(0, 2, 1);
    // Parameter views are taken in the activations' manager, so nothing lands in the weights'.
    NDArray cls =
        value(store, tokens, clsToken, training)
            .get(tokens.getManager(), new NDIndex("..."))
            .repeat(0, b);
    NDArray h =
        NDArrays.concat(new NDList(cls, tokens), 1).add(value(store, tokens, positions, training));
    for (Block block : blocks.items()) {
      h = block.forward(store, h, training);
    }
    return call(store, norm, h, training).get(new NDIndex(":, 0, :"));
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

  /** h + attn(norm1(h)), then h + mlp(norm2(h)). */
  static final class Block extends NamedBlock {
    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final Linear fc1;
    private final Linear fc2;

    Block(int dim, int heads) {
      norm1 = module("norm1", new LayerNorm(dim, 1e-6f));
      attn = module("attn", Attention.tokens(dim, dim, heads, dim / heads));
      norm2 = module("norm2", new LayerNorm(dim, 1e-6f));
      fc1 = module("fc1", new Linear(dim, 4L * dim));
      fc2 = module("fc2", new Linear(4L * dim, dim));
    }

    NDArray forward(ParameterStore store, NDArray h, boolean training) {
      h = h.add(attn.forward(store, call(store, norm1, h, training), null, training));
      NDArray y = Activation.gelu(call(store, fc1, call(store, norm2, h, training), training));
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
