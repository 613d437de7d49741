package io.diffii.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.diffii.augment.Captioner;
import io.diffii.data.Context;
import io.diffii.data.ImageDataset;
import io.diffii.data.Sample;
import io.diffii.data.Splits;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptionerTest {

  /** The scene with its context attribute replaced by another context's name. */
  private static Sample lying(Sample s) {
    Context truth = Context.valueOf(s.attribute(ImageDataset.CONTEXT));
    Context lie = Context.values()[(truth.ordinal() + 1) % Context.values().length];
    return new Sample(s.id(), s.label(), Map.of(ImageDataset.CONTEXT, lie.name()), s.loader());
  }

  @Test
  void theDefaultCaptionerReadsPixelsAndNeverTheContextAttribute() {
    List<Sample> scenes = Splits.fewShot(3, 0).train().samples();
    Captioner pixels = Embedded.captioner();
    Captioner oracle = Embedded.oracleCaptioner();
    int agree = 0;
    for (Sample s : scenes) {
      String truth = Context.valueOf(s.attribute(ImageDataset.CONTEXT)).phrase();
      Sample lie = lying(s);
      Sample bare = new Sample(s.id(), s.label(), Map.of(), s.loader());
      String caption = pixels.caption(s);
      // The same caption whatever the attribute says, and with no attribute at all.
      assertEquals(caption, pixels.caption(lie), s.id());
      assertEquals(caption, pixels.caption(bare), s.id());
      agree += caption.equals(truth) ? 1 : 0;
      // The oracle repeats the attribute, lie included, and has nothing to say without it.
      assertEquals(
          Context.valueOf(lie.attribute(ImageDataset.CONTEXT)).phrase(), oracle.caption(lie));
      assertThrows(IllegalArgumentException.class, () -> oracle.caption(bare));
    }
    // The background classifier is 99.95 % right on real scenes.
    assertTrue(agree >= scenes.size() - 2, agree + " of " + scenes.size() + " captions right");
    assertEquals(
        Embedded.Captioning.ORACLE.captioner().caption(lying(scenes.get(0))),
        oracle.caption(lying(scenes.get(0))));
  }
}
