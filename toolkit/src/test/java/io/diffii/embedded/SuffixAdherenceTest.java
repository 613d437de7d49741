package io.diffii.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import io.diffii.augment.DiffII;
import io.diffii.augment.SyntheticSet;
import io.diffii.data.Context;
import io.diffii.data.FashionMnist;
import io.diffii.data.RgbImage;
import io.diffii.data.Splits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuffixAdherenceTest {

  @TempDir Path dir;

  /**
   * Writes one image per (label, asked, shown) row: its first pixel encodes the context it shows,
   * which the stand-in judge reads back.
   */
  private SyntheticSet folder(Object[][] rows) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      float[] px = new float[3 * 4 * 4];
      px[0] = ((Context) rows[i][2]).ordinal() / 8f;
      String file = i + ".png";
      new RgbImage(4, 4, px).writePng(dir.resolve(file));
      JsonObject o = new JsonObject();
      o.addProperty("label", (int) rows[i][0]);
      o.addProperty("index", i);
      o.addProperty("file", file);
      if (rows[i][1] != null) {
        o.addProperty("suffix", ((Context) rows[i][1]).phrase());
      }
      lines.add(o.toString());
    }
    Files.write(dir.resolve(DiffII.MANIFEST), lines);
    return SyntheticSet.read(dir, FashionMnist.CLASS_NAMES);
  }

  private static Context judge(float[] chw) {
    return Context.values()[Math.round(chw[0] * 8)];
  }

  @Test
  void countsFollowedSuffixesAndBackgroundsMovedToTheOtherHabitat() throws Exception {
    // Label 0 (T-shirt/top) lives on land, label 2 (Pullover) on water.
    SyntheticSet set =
        folder(
            new Object[][] {
              {0, Context.WATER, Context.WATER}, // asked off habitat, moved, followed
              {0, Context.SAND, Context.SNOW}, // asked off habitat, stayed on land
              {0, Context.NIGHT, Context.LAND}, // asked own habitat, other land context
              {2, Context.LAND, Context.SAND}, // asked off habitat, stayed on water
              {2, Context.SAND, Context.SAND}, // asked own habitat, followed
              {2, null, Context.NIGHT}, // no suffix: not counted
            });
    SuffixAdherence a = SuffixAdherence.of(set, SuffixAdherenceTest::judge, Splits::habitat);
    assertEquals(new SuffixAdherence(5, 2, 3, 1, 1), a);
    assertEquals(0.4, a.followedRate(), 1e-12);
    assertEquals(1 / 3.0, a.offHabitatRate(), 1e-12);
  }
}
