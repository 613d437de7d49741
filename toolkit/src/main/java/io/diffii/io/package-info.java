/**
 * File formats and run plumbing at the bottom of the package graph: safetensors reading and
 * writing ({@link io.diffii.io.Safetensors}), diffusers/transformers {@code config.json} helpers
 * ({@link io.diffii.io.ConfigJson}) and the progress line long jobs print ({@link
 * io.diffii.io.Progress}). Nothing here knows a network.
 */
package io.diffii.io;
