/**
 * Diffusion schedules as pure math on arrays, never calling a model: the noise schedule and forward
 * noising (paper Eq. 1), the DDIM sampler and DDIM inversion (Eq. 3–4) with diffusers' semantics,
 * classifier-free guidance, and Diff-II's two-stage prompt rule.
 *
 * <p>Entry points: {@link io.diffii.schedule.DdimConfig}, {@link io.diffii.schedule.DdimScheduler},
 * {@link io.diffii.schedule.DdimInverseScheduler}, {@link io.diffii.schedule.NoiseSchedule}, {@link
 * io.diffii.schedule.Guidance}, {@link io.diffii.schedule.TwoStageRule}, {@link
 * io.diffii.schedule.GaussianNoise}. Scalars (ᾱ_t, σ_t) are computed in double; arrays keep the
 * type they come in.
 */
package io.diffii.schedule;
