package io.diffii.classify;

import java.util.Arrays;
import java.util.Locale;

/** The pretrained backbone types a downstream classifier is fine-tuned from. */
public enum Backbone {
  /** A small ResNet (the paper's ResNet50 scaled to the embedded images). */
  RESNET,
  /** A small Vision Transformer (the paper's ViT-B/16 scaled to the embedded images). */
  VIT;

  /** Returns the lowercase name backbone folders and tables use ("resnet", "vit"). */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Returns the backbone whose {@link #id} is {@code id}, with a clear error for any other name.
   */
  public static Backbone of(String id) {
    return Arrays.stream(values())
        .filter(b -> b.id().equals(id.strip().toLowerCase(Locale.ROOT)))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException("unknown backbone " + id + "; use resnet or vit"));
  }
}
