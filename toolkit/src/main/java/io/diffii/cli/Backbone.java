package io.diffii.cli;

/** The classifier backbones the embedded default ships. */
enum Backbone {
  /** The small ResNet. */
  RESNET,
  /** The small Vision Transformer. */
  VIT;

  /** Returns the name the toolkit knows the backbone by. */
  String id() {
    return EnumValues.spelling(this);
  }
}
