package io.diffii.classify;

import ai.djl.ndarray.NDManager;
import io.diffii.io.Safetensors;
import io.diffii.model.ResizeCrop;
import io.diffii.nn.BatchNorm2d;
import io.diffii.nn.Compute;
import io.diffii.nn.Weights;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The paper's full-scale backbones, ResNet-50 (224 px) and ViT-B/16 (384 px), built with
 * torchvision's architecture and parameter names and loaded from a user-supplied safetensors file
 * converted from torchvision's published weights (docs/torchvision-backbones.md shows the few lines
 * of Python; nothing is downloaded here). Their 1000-class ImageNet head is kept; {@link
 * Classifier#withNewHead} replaces it for a dataset's fine classes. Each backbone's input transform
 * is stated here, once: {@link #RESNET50_TRANSFORM}, {@link #VIT_B16_TRANSFORM}; the models return
 * it from {@link Classifier#transform}.
 */
public final class Torchvision {

  private Torchvision() {}

  /**
   * ResNet-50's transform, torchvision's {@code ResNet50_Weights.IMAGENET1K_V1}/{@code V2}
   * evaluation transform and the paper's released recipe alike: shorter side to 256, centre crop
   * 224. (Resampling is {@link ResizeCrop}'s antialiased bicubic, which torchvision uses for the
   * ViT weights; its ResNet-50 transform uses bilinear, a difference of interpolation detail only.)
   */
  public static final ResizeCrop RESNET50_TRANSFORM = new ResizeCrop(256, 224);

  /**
   * ViT-B/16's transform, torchvision's {@code ViT_B_16_Weights.IMAGENET1K_SWAG_E2E_V1} evaluation
   * transform: shorter side to 384 (bicubic), centre crop 384. (The paper's released training code
   * resizes to 440 before cropping 384; a training recipe may use {@code new ResizeCrop(440,
   * 384)}.)
   */
  public static final ResizeCrop VIT_B16_TRANSFORM = ResizeCrop.square(384);

  /** Returns ResNet-50's architecture (planes 64–512, blocks 3, 4, 6, 3, 224 px), unloaded. */
  public static TorchvisionResNet resnet50Architecture(int classes) {
    return new TorchvisionResNet(
        new int[] {64, 128, 256, 512}, new int[] {3, 4, 6, 3}, classes, RESNET50_TRANSFORM.crop());
  }

  /** Returns ViT-B/16's architecture at 384 px (patch 16, 12 × 12 heads, 768, MLP 3072). */
  public static TorchvisionViT vitB16Architecture(int classes) {
    return new TorchvisionViT(VIT_B16_TRANSFORM.crop(), 16, 12, 12, 768, 3072, classes);
  }

  /**
   * Returns torchvision's ResNet-50 with the 1000-class head, loaded from {@code safetensors} (a
   * {@code resnet50().state_dict()}); its arrays live in a new base manager.
   */
  public static Classifier resnet50(Path safetensors) {
    return load(resnet50Architecture(1000), safetensors, Compute.newManager());
  }

  /**
   * Returns torchvision's ViT-B/16 at 384 px with the 1000-class head, loaded from {@code
   * safetensors} (a {@code vit_b_16(image_size=384).state_dict()}, as the SWAG weights are); its
   * arrays live in a new base manager.
   */
  public static Classifier vitB16(Path safetensors) {
    return load(vitB16Architecture(1000), safetensors, Compute.newManager());
  }

  /**
   * Loads {@code safetensors} into {@code model} strictly (a missing, unexpected or mis-shaped
   * tensor is an error that lists each; PyTorch's BatchNorm counters are skipped), with the arrays
   * in {@code manager}, and returns the model.
   */
  public static <C extends Classifier> C load(C model, Path safetensors, NDManager manager) {
    if (!Files.isRegularFile(safetensors)) {
      throw new IllegalArgumentException("no weights file " + safetensors);
    }
    try (NDManager scope = manager.newSubManager()) {
      Weights.load(
          model,
          Safetensors.readAll(safetensors, scope),
          manager,
          BatchNorm2d.counters(model),
          safetensors.toString());
    }
    return model;
  }
}
