/**
 * Interpolation between inversions as pure math on arrays: Diff-II's random circle interpolation
 * (paper Eq. 5), spherical interpolation and extrapolation (Eq. 6, 7) and linear interpolation.
 *
 * <p>Entry point: {@link io.diffii.interpolate.CircleInterpolation}.
 */
package io.diffii.interpolate;
