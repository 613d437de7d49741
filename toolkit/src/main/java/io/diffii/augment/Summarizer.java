package io.diffii.augment;

import java.util.List;

/**
 * Condenses the captions of a dataset into at most a few scene suffixes (paper Sec. 3.3: a language
 * model summarises BLIP captions into ≤ 10 descriptions of scene, action, pose and zoom). A
 * full-scale user plugs a language model behind this interface.
 */
@FunctionalInterface
public interface Summarizer {

  /**
   * Returns at most {@code max} distinct suffixes, such as "in the water", for {@code captions}.
   */
  List<String> summarize(List<String> captions, int max);
}
