package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.initializer.UniformInitializer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Base of every network block in this package: a DJL {@link AbstractBlock} whose children and
 * parameters also carry the plain names that diffusers and transformers give them.
 *
 * <p>DJL prefixes child names with a counter ({@code 01down_blocks}); checkpoint keys such as
 * {@code down_blocks.0.resnets.1.conv1.weight} are instead built here, explicitly, from the names
 * given to {@link #module} and {@link #parameter}. Parameter shapes are fixed at construction from
 * the model config, as in PyTorch, so weights can be loaded before any forward pass.
 */
public abstract class NamedBlock extends AbstractBlock {

  private final Map<String, Block> modules = new LinkedHashMap<>();
  private final Map<String, Parameter> params = new LinkedHashMap<>();

  /** Registers a child under its checkpoint name and returns it. */
  public <B extends Block> B module(String name, B block) {
    if (modules.putIfAbsent(name, block) != null) {
      throw new IllegalArgumentException("duplicate module name " + name);
    }
    return addChildBlock(name, block);
  }

  /** Declares a parameter of a fixed shape under its checkpoint name and returns it. */
  protected Parameter parameter(String name, Parameter.Type type, Shape shape) {
    Parameter p =
        addParameter(Parameter.builder().setName(name).setType(type).optShape(shape).build());
    params.put(name, p);
    return p;
  }

  /**
   * Declares a non-trainable array of a fixed shape under its checkpoint name, as PyTorch's {@code
   * register_buffer} (BatchNorm's running statistics): saved and loaded with the parameters, never
   * given a gradient, so optimisers leave it alone. Returns it.
   */
  protected Parameter buffer(String name, Parameter.Type type, Shape shape) {
    Parameter p =
        addParameter(
            Parameter.builder()
                .setName(name)
                .setType(type)
                .optShape(shape)
                .optRequiresGrad(false)
                .build());
    params.put(name, p);
    return p;
  }

  /** Returns the children by checkpoint name, in registration order. */
  public Map<String, Block> modules() {
    return Collections.unmodifiableMap(modules);
  }

  /**
   * Returns every parameter of this block and its descendants by dotted checkpoint name ({@code
   * mid_block.attentions.0.proj_in.weight}), in registration order.
   */
  public Map<String, Parameter> stateDict() {
    Map<String, Parameter> out = new LinkedHashMap<>();
    collect("", out);
    return out;
  }

  private void collect(String prefix, Map<String, Parameter> out) {
    params.forEach((name, p) -> out.put(prefix + name, p));
    modules.forEach(
        (name, child) -> {
          if (child instanceof NamedBlock named) {
            named.collect(prefix + name + ".", out);
          } else {
            throw new IllegalStateException(
                "child " + prefix + name + " is not a NamedBlock: " + child.getClass());
          }
        });
  }

  /**
   * Allocates every parameter that has no array yet, with PyTorch's default initialisation: weights
   * uniform in ±1/√fan_in, biases, norm shifts and running means zero, norm scales and running
   * variances one.
   */
  public void initializeParameters(NDManager manager) {
    for (Parameter p : stateDict().values()) {
      if (p.isInitialized()) {
        continue;
      }
      p.setInitializer(defaultInitializer(p));
      p.initialize(manager, DataType.FLOAT32);
    }
  }

  private static Initializer defaultInitializer(Parameter p) {
    switch (p.getType()) {
      case GAMMA:
      case RUNNING_VAR:
        return new ConstantInitializer(1f);
      case BIAS:
      case BETA:
      case RUNNING_MEAN:
        return new ConstantInitializer(0f);
      default:
        Shape s = p.getShape();
        long fanIn = s.dimension() > 1 ? s.size() / s.get(0) : s.size();
        return new UniformInitializer((float) (1.0 / Math.sqrt(Math.max(1, fanIn))));
    }
  }

  /** Returns this block's parameter value for the current forward pass. */
  protected static NDArray value(
      ParameterStore store, NDArray like, Parameter p, boolean training) {
    return store.getValue(p, like.getDevice(), training);
  }

  /** Runs a child block that takes one input and gives one output. */
  protected static NDArray call(
      ParameterStore store, ai.djl.nn.Block block, NDArray x, boolean training) {
    return block.forward(store, new NDList(x), training).singletonOrThrow();
  }

  /** Runs this block outside a trainer: one input in, the first output out. */
  public NDArray apply(NDArray x, boolean training) {
    NDList out = forward(new ParameterStore(x.getManager(), false), new NDList(x), training);
    return out.singletonOrThrow();
  }

  /**
   * Returns whether every parameter of this block and its descendants holds an array. Shapes are
   * fixed at construction, so unlike DJL's default this does not wait for input shapes; otherwise a
   * training-mode forward would try to re-initialise loaded weights.
   */
  @Override
  public boolean isInitialized() {
    for (Parameter p : params.values()) {
      if (!p.isInitialized()) {
        return false;
      }
    }
    for (Block child : modules.values()) {
      if (!child.isInitialized()) {
        return false;
      }
    }
    return true;
  }

  /** {@inheritDoc} */
  @Override
  public void prepare(Shape[] inputShapes) {
    // Shapes are fixed at construction from the config; nothing depends on the input shapes.
  }
}
