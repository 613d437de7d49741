package io.diffii.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Multi-head attention as diffusers' {@code Attention} with its plain processor: \(\mathrm{out} =
 * W_o\,\mathrm{concat}_h\big(\mathrm{softmax}(Q_h K_h^T/\sqrt{d})\,V_h\big) + b_o\) with \(Q = x
 * W_q^T\), \(K = c W_k^T\), \(V = c W_v^T\), where c is the context for cross-attention and x
 * itself for self-attention, and d is the width of one head.
 *
 * <p>Two forms exist, with diffusers' parameter names {@code to_q}, {@code to_k}, {@code to_v},
 * {@code to_out.0} ({@code to_out.1} is a parameterless dropout):
 *
 * <ul>
 *   <li>{@link #tokens}: the transformer blocks' attention. Input {@code [B, N, D]}, optional
 *       context {@code [B, M, Dc]}, output {@code [B, N, D]}; q/k/v without bias.
 *   <li>{@link #spatial}: the VAE mid-block attention. Input {@code [B, C, H, W]} read as HW
 *       tokens, a {@code group_norm} before the projections, bias on q/k/v, and the input added
 *       back (residual); output {@code [B, C, H, W]}.
 * </ul>
 */
public final class Attention extends NamedBlock {

  private final int heads;
  private final GroupNorm groupNorm;
  private final Linear toQ;
  private final Linear toK;
  private final Linear toV;
  private final Linear toOut;

  private Attention(
      long queryDim,
      long contextDim,
      int heads,
      int dimHead,
      boolean qkvBias,
      GroupNorm groupNorm) {
    if (heads <= 0 || dimHead <= 0) {
      throw new IllegalArgumentException(
          "Attention needs positive heads and head width, got " + heads + " × " + dimHead);
    }
    this.heads = heads;
    long inner = (long) heads * dimHead;
    this.groupNorm = groupNorm == null ? null : module("group_norm", groupNorm);
    this.toQ = module("to_q", new Linear(queryDim, inner, qkvBias));
    this.toK = module("to_k", new Linear(contextDim, inner, qkvBias));
    this.toV = module("to_v", new Linear(contextDim, inner, qkvBias));
    this.toOut = module("to_out.0", new Linear(inner, queryDim, true));
  }

  /**
   * Returns a transformer attention over tokens of width {@code queryDim}, attending to a context
   * of width {@code contextDim} (equal to {@code queryDim} for self-attention).
   */
  public static Attention tokens(long queryDim, long contextDim, int heads, int dimHead) {
    return new Attention(queryDim, contextDim, heads, dimHead, false, null);
  }

  /**
   * Returns the VAE's spatial self-attention over {@code channels} channels, with a group norm of
   * {@code groups} groups and epsilon {@code eps}, in {@code heads} heads.
   */
  public static Attention spatial(long channels, int heads, int groups, float eps) {
    if (channels % heads != 0) {
      throw new IllegalArgumentException(
          channels + " channels do not split into " + heads + " heads");
    }
    return new Attention(
        channels,
        channels,
        heads,
        (int) (channels / heads),
        true,
        new GroupNorm(groups, channels, eps));
  }

  /** {@inheritDoc} Inputs: (x) for self-attention, or (x, context). */
  @Override
  protected NDList forwardInternal(
      ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray context = inputs.size() > 1 ? inputs.get(1) : null;
    return new NDList(forward(store, inputs.head(), context, training));
  }

  /** Attends from {@code x} to {@code context}, or to itself when the context is null. */
  public NDArray forward(ParameterStore store, NDArray x, NDArray context, boolean training) {
    if (groupNorm == null) {
      return attend(store, x, context == null ? x : context, training);
    }
    Shape shape = x.getShape();
    NDArray flat = x.reshape(shape.get(0), shape.get(1), -1);
    NDArray tokens = Tensors.call(store, groupNorm, flat, training).transpose(0, 2, 1);
    NDArray attended = attend(store, tokens, tokens, training);
    return attended.transpose(0, 2, 1).reshape(shape).add(x);
  }

  private NDArray attend(ParameterStore store, NDArray x, NDArray context, boolean training) {
    NDArray q = splitHeads(Tensors.call(store, toQ, x, training), heads);
    NDArray k = splitHeads(Tensors.call(store, toK, context, training), heads);
    NDArray v = splitHeads(Tensors.call(store, toV, context, training), heads);
    return Tensors.call(store, toOut, mergeHeads(scaledDotProduct(q, k, v)), training);
  }

  /**
   * The attention equation, \(\mathrm{softmax}(q k^T/\sqrt{d})\,v\), for {@code q} of shape {@code
   * [..., N, d]} and {@code k}, {@code v} of shape {@code [..., M, d]}; returns {@code [..., N,
   * d]}. Score matrices larger than {@link Compute#chunkBytes()} are computed in chunks of queries.
   */
  public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v) {
    return scaledDotProduct(q, k, v, Compute.chunkBytes() / Float.BYTES);
  }

  /**
   * The attention equation with at most about {@code maxScores} score elements alive at once: the
   * queries are split into the fewest equal chunks that fit (never below one query), so peak memory
   * grows linearly in the tokens instead of quadratically. At 64×64 latents one guided
   * self-attention's scores are {@code 2·8·4096·4096} floats (1 GiB), twice that with the softmax.
   * Every row's softmax is over all keys, so chunks change no value.
   */
  static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, long maxScores) {
    int rank = k.getShape().dimension();
    int[] swapLast = new int[rank];
    for (int i = 0; i < rank; i++) {
      swapLast[i] = i;
    }
    swapLast[rank - 2] = rank - 1;
    swapLast[rank - 1] = rank - 2;
    double scale = 1.0 / Math.sqrt(q.getShape().get(q.getShape().dimension() - 1));
    NDArray kt = k.transpose(swapLast);
    long n = q.getShape().get(rank - 2);
    long chunk = queryChunk(q.getShape(), k.getShape().get(rank - 2), maxScores);
    if (chunk >= n) {
      // Freed at once as the chunks below, so no score matrix outlives its attention call.
      try (NDArray scores = q.matMul(kt);
          NDArray scaled = Tensors.mul(scores, scale);
          NDArray weights = scaled.softmax(-1)) {
        return weights.matMul(v);
      }
    }
    NDList parts = new NDList();
    for (long start = 0; start < n; start += chunk) {
      NDArray rows = q.get(new NDIndex("..., {}:{}, :", start, Math.min(n, start + chunk)));
      // The chunk's scores and weights own PyTorch memory: closing their handles frees them now
      // (autograd keeps its own references when it records), not when the caller's scope closes.
      try (NDArray scores = rows.matMul(kt);
          NDArray scaled = Tensors.mul(scores, scale);
          NDArray weights = scaled.softmax(-1)) {
        parts.add(weights.matMul(v));
      }
    }
    NDArray out = NDArrays.concat(parts, rank - 2);
    parts.close();
    return out;
  }

  /** Returns how many queries fit {@code maxScores} score elements (at least one, at most all). */
  static long queryChunk(Shape q, long keys, long maxScores) {
    long queries = q.get(q.dimension() - 2);
    long perQuery = q.size() / q.get(q.dimension() - 1) / queries * keys;
    return Math.min(queries, Math.max(1, maxScores / perQuery));
  }

  /** Returns {@code [B, N, h·d]} rearranged to {@code [B, h, N, d]}. */
  public static NDArray splitHeads(NDArray x, int heads) {
    Shape s = x.getShape();
    return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
  }

  /** Returns {@code [B, h, N, d]} rearranged to {@code [B, N, h·d]}. */
  public static NDArray mergeHeads(NDArray x) {
    Shape s = x.getShape();
    return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
  }

  /** {@inheritDoc} */
  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {inputShapes[0]};
  }
}
