/**
 * Data augmentation by diffusion: the Diff-II pipeline, the generative baselines of Table 1
 * (Real-Gen, Real-Guidance, Real-Mix, Da-Fusion, Diff-AUG, Diff-Mix; Real-Filter pending) on the
 * image-to-image core, and the synthetic image sets they write (an ImageFolder tree with a manifest
 * line per image).
 */
package io.diffii.augment;
