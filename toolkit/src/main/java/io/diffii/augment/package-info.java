/**
 * Data augmentation by diffusion: the Diff-II pipeline and the synthetic image sets it writes (an
 * ImageFolder tree with a manifest line per image).
 */
package io.diffii.augment;
