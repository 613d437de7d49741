package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The transformer blocks' GEGLU feed-forward (Shazeer, 2020), as diffusers' {@code FeedForward}
 * with {@code activation_fn="geglu"}: \([h, g] = x W_1^T + b_1\) split in halves, then \(y = (h ⊙
 * \mathrm{GELU}(g)) W_2^T + b_2\) with the exact (erf) GELU. Parameters {@code net.0.proj} ({@code
 * [2·inner, dim]}) and {@code net.2} ({@code [dim, inner]}); {@code net.1} is a parameterless
 * dropout. Input and output {@code [..., dim]}.
 */
public final class FeedForward extends NamedBlock {

  private final Geglu geglu;
  private final Linear out;

  /** Creates a feed-forward of width {@code dim} with hidden width {@code inner}. */
  public FeedForward(long dim, long inner) {
    this.geglu = module("net.0", new Geglu(dim, inner));
    this.out = module("net.2", new Linear(inner, dim));
  }

  /** {@inheritDoc} */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray hidden = Tensors.call(store, geglu, inputs.head(), training);
    return out.forward(store, new NDList(hidden), training);
  }

  /**
   * The gated activation: splits {@code projected} in halves h, g on its last axis, returns h ⊙
   * GELU(g).
   */
  public static NDArray geglu(NDArray projected) {
    int last = projected.getShape().dimension() - 1;
    NDList halves = projected.split(2, last);
    return halves.get(0).mul(Activation.gelu(halves.get(1)));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }

  /** The projection-and-gate stage, named {@code proj} inside {@code net.0} as in diffusers. */
  private static final class Geglu extends NamedBlock {

    private final Linear proj;

    Geglu(long dim, long inner) {
      this.proj = module("proj", new Linear(dim, 2 * inner));
    }

    @Override
    protected NDList forwardInternal(
        ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
      return new NDList(geglu(Tensors.call(store, proj, inputs.head(), training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      Shape in = inputShapes[0];
      return new Shape[] {in.slice(0, in.dimension() - 1).add(proj.outFeatures() / 2)};
    }
  }
}
