package io.diffii.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.diffii.data.ImageDataset;
import io.diffii.data.Splits;
import io.diffii.embedded.Embedded;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipFilterTest {

  @TempDir Path dir;

  private static final ClipFilter FILTER = Embedded.realFilter();

  @Test
  void theThresholdIsNumpysLinearTenthPercentile() {
    // sorted .1 .3 .5 .7 .9, h = 0.1·4 = 0.4: .1 + 0.4·(.3 − .1) = .18
    assertEquals(0.18, FILTER.threshold(new double[] {0.5, 0.1, 0.9, 0.3, 0.7}), 1e-12);
    double[] twenty = new double[20];
    for (int i = 0; i < 20; i++) {
      twenty[i] = 20 - i;
    }
    // h = 1.9: 2 + 0.9·(3 − 2) = 2.9, so 1 and 2 (10 % of 20) are dropped.
    assertEquals(2.9, FILTER.threshold(twenty), 1e-12);
    boolean[] kept = FILTER.kept(twenty);
    for (int i = 0; i < 20; i++) {
      assertEquals(twenty[i] > 2, kept[i], "value " + twenty[i]);
    }
    assertArrayEquals(
        new boolean[] {true, true, true}, FILTER.kept(new double[] {0.4, 0.4, 0.4}), "ties stay");
  }

  @Test
  void theShippedClipDropsTheSceneOfAnotherClassAndKeepsTheClasssOwn() {
    // Nine sneakers and one trouser, all filed as sneakers: the trouser is the lowest 10 %.
    ImageDataset test = Splits.fewShot(1, 0).test();
    int sneaker = test.classNames().indexOf("Sneaker");
    int trouser = test.classNames().indexOf("Trouser");
    List<Integer> picked = new ArrayList<>();
    for (int i = 0; i < test.size() && picked.size() < 9; i++) {
      if (test.label(i) == sneaker) {
        picked.add(i);
      }
    }
    for (int i = 0; i < test.size() && picked.size() < 10; i++) {
      if (test.label(i) == trouser) {
        picked.add(i);
      }
    }
    Path out = dir.resolve("set");
    for (int k = 0; k < picked.size(); k++) {
      String file =
          DiffII.write(
              out, "Sneaker", k, test.image(picked.get(k)), (img, png) -> img.writePng(png));
      JsonObject line = new JsonObject();
      line.addProperty("label", sneaker);
      line.addProperty("index", k);
      line.addProperty("file", file);
      DiffII.append(out, line);
    }
    double[] confidence = FILTER.confidences(SyntheticSet.read(out, test.classNames()));
    for (int k = 0; k < 9; k++) {
      assertTrue(confidence[k] > 0.5, "sneaker " + k + " judged footwear: " + confidence[k]);
    }
    assertTrue(confidence[9] < 0.5, "the trouser is not footwear: " + confidence[9]);
    boolean[] kept = FILTER.kept(confidence);
    for (int k = 0; k < 10; k++) {
      assertEquals(
          k < 9, kept[k], "image " + k + ", confidences " + java.util.Arrays.toString(confidence));
    }
  }

  @Test
  void aMissingClipFolderIsNamed() {
    ClipFilter missing = ClipFilter.withWithout(dir.resolve("no-clip"), c -> "bird");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, missing::requireModel);
    assertTrue(e.getMessage().contains("no-clip has no config.json"), e.getMessage());
    assertEquals(
        List.of("a photo with a bird on it", "a photo without a bird on it"),
        missing.prompts().apply(3));
  }
}
