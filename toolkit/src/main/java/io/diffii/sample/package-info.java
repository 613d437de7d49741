/**
 * Sampling: the guided noise prediction ({@link io.diffii.sample.Denoiser}), the DDIM denoising
 * loop, and the per-timestep prompt choice that Diff-II's two-stage denoising makes.
 */
package io.diffii.sample;
