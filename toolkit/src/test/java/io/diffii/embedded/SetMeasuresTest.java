package io.diffii.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.diffii.augment.DiffII;
import io.diffii.augment.SyntheticSet;
import io.diffii.data.ImageDataset;
import io.diffii.data.Splits;
import io.diffii.experiment.SetMeasure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded set measures of Table 4 and Figure 7 on sets of real test scenes: a class of copies
 * of one scene has no diversity, distinct scenes have some; the CLIP score of scenes against their
 * own class's coarse prompt is higher than filed under a class of another group.
 */
class SetMeasuresTest {

  @TempDir Path dir;

  /**
   * Writes the scenes {@code indices} of {@code test} as a synthetic set filed under {@code label}.
   */
  private static SyntheticSet set(Path out, ImageDataset test, int label, int... indices)
      throws IOException {
    StringBuilder manifest = new StringBuilder();
    for (int k = 0; k < indices.length; k++) {
      String file = "c/" + k + ".png";
      test.image(indices[k]).writePng(out.resolve(file));
      JsonObject line = new JsonObject();
      line.addProperty("label", label);
      line.addProperty("index", k);
      line.addProperty("file", file);
      manifest.append(line).append('\n');
    }
    Files.writeString(out.resolve(DiffII.MANIFEST), manifest);
    return SyntheticSet.read(out, test.classNames());
  }

  @Test
  void diversityIsZeroForCopiesAndTheClipScorePrefersTheOwnClass() throws IOException {
    ImageDataset test = Splits.fewShot(1, 0).test();
    int sneaker = test.classNames().indexOf("Sneaker");
    int trouser = test.classNames().indexOf("Trouser");
    int[] sneakers =
        java.util.stream.IntStream.range(0, test.size())
            .filter(i -> test.label(i) == sneaker)
            .limit(6)
            .toArray();
    List<SetMeasure> m = Embedded.setMeasures();
    SetMeasure diversity = m.get(0);
    SetMeasure clip = m.get(1);
    assertEquals("diversity", diversity.name());
    assertEquals("clip_score", clip.name());
    SyntheticSet copies =
        set(dir.resolve("copies"), test, sneaker, sneakers[0], sneakers[0], sneakers[0]);
    assertEquals(0, diversity.of(copies), 1e-6);
    SyntheticSet own = set(dir.resolve("own"), test, sneaker, sneakers);
    double d = diversity.of(own);
    // 4 layers of unit vectors: at most 4 each.
    assertTrue(d > 0.01 && d <= 16, "distinct scenes: " + d);
    SyntheticSet other = set(dir.resolve("other"), test, trouser, sneakers);
    double right = clip.of(own);
    double wrong = clip.of(other);
    assertTrue(right > wrong && right <= 100 && wrong >= 0, right + " vs " + wrong);
  }
}
