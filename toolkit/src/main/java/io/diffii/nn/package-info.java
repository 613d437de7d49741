/**
 * Generic network layers as DJL blocks with PyTorch parameter names: {@link io.diffii.nn.Linear}
 * (with an optional LoRA adapter), {@link io.diffii.nn.Conv2d}, {@link io.diffii.nn.GroupNorm},
 * {@link io.diffii.nn.BatchNorm2d}, {@link io.diffii.nn.LayerNorm}, {@link io.diffii.nn.Attention},
 * {@link io.diffii.nn.MultiheadAttention}, {@link io.diffii.nn.FeedForward}, the named-child block
 * base {@link io.diffii.nn.NamedBlock} and strict weight loading ({@link io.diffii.nn.Weights}).
 * The Stable Diffusion networks in {@code io.diffii.model} and the classifiers in {@code
 * io.diffii.classify} are built from these.
 */
package io.diffii.nn;
