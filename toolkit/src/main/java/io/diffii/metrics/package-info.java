/**
 * Image metrics as the literature defines them: LPIPS (Zhang et al. 2018; the published AlexNet
 * weights, or lpips' {@code lin=False} over the embedded ResNet backbone) for the diversity of a
 * synthetic set, and the CLIP score (Hessel et al. 2021) and CLIP zero-shot classification for its
 * faithfulness to prompts, and accuracy per group of test images ({@link
 * io.diffii.metrics.GroupAccuracy}: average and worst group, as out-of-distribution benchmarks
 * report it). The embedded LPIPS reads the backbone from {@code classify}, the one same-floor
 * import.
 */
package io.diffii.metrics;
