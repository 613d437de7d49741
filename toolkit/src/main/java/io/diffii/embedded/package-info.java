/**
 * The embedded default: pretraining, on Fashion scenes, of a tiny Stable-Diffusion-format model
 * (autoencoder, text encoder, UNet) and of the classifier backbones, so that everything else in the
 * toolkit runs on a CPU in minutes.
 *
 * <p>It recreates the paper's starting point (design.md, "The embedded benchmark"): the model
 * learns the theme and the scene contexts from captions that name only coarse groups, and the fine
 * classes are left to concept learning. Every stage checkpoints as it goes and a rerun continues
 * where the last one stopped; the same seed gives the same weights.
 */
package io.diffii.embedded;
