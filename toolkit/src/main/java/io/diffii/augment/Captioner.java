package io.diffii.augment;

import io.diffii.data.Sample;

/**
 * Describes one training image in words (paper Sec. 3.3: BLIP captions every training image). The
 * embedded captioner names the scene's context; a full-scale user plugs a vision-language model
 * behind this interface.
 */
@FunctionalInterface
public interface Captioner {

  /** Returns a caption of {@code sample}'s image. */
  String caption(Sample sample);
}
