/**
 * Image classifiers for the downstream task: small backbones (a CIFAR-style ResNet and a ViT)
 * standing in for ImageNet-pretrained ResNet-50 and ViT-B/16 on the embedded benchmark, the
 * full-scale ResNet-50 and ViT-B/16 themselves with torchvision's names and weights ({@link
 * io.diffii.classify.Torchvision}), their training with Diff-II's replacement probability, the
 * long-tail baselines' CMO and DRW ({@link io.diffii.classify.ClassBalance}) and the long-tail
 * schedule, and evaluation.
 */
package io.diffii.classify;
