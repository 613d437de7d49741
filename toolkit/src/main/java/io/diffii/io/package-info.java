/**
 * File formats and run plumbing at the bottom of the package graph: safetensors reading and writing
 * ({@link io.diffii.io.Safetensors}), diffusers/transformers {@code config.json} helpers ({@link
 * io.diffii.io.ConfigJson}), the progress line long jobs print ({@link io.diffii.io.Progress}) and
 * the digests that name a run's inputs ({@link io.diffii.io.Digests}). Nothing here knows a
 * network.
 */
package io.diffii.io;
