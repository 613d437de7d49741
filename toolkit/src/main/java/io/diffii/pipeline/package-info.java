/**
 * Pipelines over a loaded {@link io.diffii.model.StableDiffusion}: prompts to embeddings, images to
 * latents and back, and one denoising loop ({@link io.diffii.pipeline.DenoisingLoop}) that drives
 * any {@link io.diffii.schedule.Scheduler} — DDIM for sampling, DDIM-inverse for inversion (paper
 * Eq. 4) — with the guided noise prediction of {@link io.diffii.pipeline.Denoiser}. Diff-II's
 * two-stage denoising is a per-timestep prompt choice ({@link io.diffii.pipeline.PromptSchedule},
 * {@link io.diffii.pipeline.TwoStageSampler}). Schedulers never see a model, models never see a
 * scheduler: this package wires them.
 */
package io.diffii.pipeline;
