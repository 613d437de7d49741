package io.diffii.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SceneComposerTest {

  private static final byte[] BLANK = new byte[784];

  @Test
  void sameSeedGivesIdenticalPixels() {
    byte[] item = FashionMnist.load().train().image(7);
    for (Context context : Context.values()) {
      RgbImage a = SceneComposer.compose(item, context, 42);
      RgbImage b = SceneComposer.compose(item, context, 42);
      assertArrayEquals(a.data(), b.data(), context.name());
    }
  }

  @Test
  void differentSeedsGiveDifferentScenes() {
    byte[] item = FashionMnist.load().train().image(7);
    assertFalse(
        Arrays.equals(
            SceneComposer.compose(item, Context.WATER, 1).data(),
            SceneComposer.compose(item, Context.WATER, 2).data()));
  }

  @Test
  void scenesAre32By32RgbInUnitRangeOn8BitSteps() {
    RgbImage scene = SceneComposer.compose(FashionMnist.load().train().image(3), Context.NIGHT, 5);
    assertEquals(32, scene.height());
    assertEquals(32, scene.width());
    for (float v : scene.data()) {
      assertTrue(v >= 0 && v <= 1, "value " + v);
      assertEquals(Math.round(v * 255) / 255f, v);
    }
  }

  @Test
  void contextsHaveDistinctBackgroundColours() {
    Map<Context, double[]> means = new EnumMap<>(Context.class);
    for (Context context : Context.values()) {
      means.put(context, meanRgb(context));
    }
    assertGreenest(means.get(Context.LAND));
    double[] water = means.get(Context.WATER);
    assertTrue(
        water[2] > water[1] && water[1] > water[0], "water is blue: " + Arrays.toString(water));
    double[] sand = means.get(Context.SAND);
    assertTrue(
        sand[0] > sand[1] && sand[1] > sand[2] && sand[2] > 0.4,
        "sand is beige: " + Arrays.toString(sand));
    double[] snow = means.get(Context.SNOW);
    assertTrue(
        Arrays.stream(snow).allMatch(v -> v > 0.8), "snow is white: " + Arrays.toString(snow));
    double[] night = means.get(Context.NIGHT);
    assertTrue(
        Arrays.stream(night).allMatch(v -> v < 0.25), "night is dark: " + Arrays.toString(night));
    for (Context a : Context.values()) {
      for (Context b : Context.values()) {
        if (a != b) {
          assertTrue(distance(means.get(a), means.get(b)) > 0.15, a + " vs " + b);
        }
      }
    }
  }

  @Test
  void contextsHaveDistinctTextures() {
    assertTrue(maxValue(Context.NIGHT) > 0.7, "night has bright stars");
    assertTrue(spread(Context.WATER) > 3 * spread(Context.SNOW), "waves vary more than snow");
    assertTrue(spread(Context.LAND) > 0.03, "grass is textured");
  }

  @Test
  void itemCoversTheBackgroundInTheCentre() {
    byte[] item = FashionMnist.load().train().image(1);
    RgbImage scene = SceneComposer.compose(item, Context.SNOW, 9);
    RgbImage background = SceneComposer.compose(BLANK, Context.SNOW, 9);
    double diff = 0;
    for (int c = 0; c < 3; c++) {
      diff += Math.abs(scene.get(c, 16, 16) - background.get(c, 16, 16));
    }
    assertTrue(diff > 0.1, "centre pixel should show the item, differs by " + diff);
  }

  @Test
  void sceneCarriesLabelsAndCaption() {
    FashionMnist.Images train = FashionMnist.load().train();
    int sandal = firstOf(train, 5);
    Scene scene = SceneComposer.scene(train, sandal, Context.SNOW, 3);
    assertEquals(5, scene.fineLabel());
    assertEquals(CoarseGroup.FOOTWEAR, scene.coarse());
    assertEquals(Context.SNOW, scene.context());
    assertEquals("a photo of a footwear in the snow", scene.caption());
    assertEquals(sandal, scene.sourceIndex());
    assertArrayEquals(
        SceneComposer.compose(train.image(sandal), Context.SNOW, 3).data(), scene.pixels());
    assertEquals(32, scene.toBufferedImage().getWidth());
  }

  @Test
  void coarseWordsOfMultiClassGroupsNameNoSingleFineClass() {
    String[] expected = {
      "top", "bottom", "top", "dress", "top", "footwear", "top", "footwear", "bag", "footwear"
    };
    for (int label = 0; label < 10; label++) {
      CoarseGroup group = CoarseGroup.ofFashion(label);
      assertEquals(expected[label], group.word(), FashionMnist.CLASS_NAMES.get(label));
      if (group == CoarseGroup.TOP || group == CoarseGroup.FOOTWEAR) {
        assertFalse(
            FashionMnist.CLASS_NAMES.stream().anyMatch(n -> n.equalsIgnoreCase(group.word())));
      }
    }
  }

  @Test
  void landAndWaterAreTheTwoHabitats() {
    assertEquals(Habitat.LAND, Context.LAND.habitat());
    assertEquals(Habitat.WATER, Context.WATER.habitat());
    for (Context context : Context.values()) {
      assertTrue(context.habitat().contexts().contains(context));
      assertNotEquals("", context.phrase());
    }
  }

  private static double[] meanRgb(Context context) {
    double[] mean = new double[3];
    for (long seed = 0; seed < 8; seed++) {
      RgbImage bg = SceneComposer.compose(BLANK, context, seed);
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < 1024; p++) {
          mean[c] += bg.data()[c * 1024 + p] / (8 * 1024.0);
        }
      }
    }
    return mean;
  }

  /** Returns the mean standard deviation of the grey value within one background. */
  private static double spread(Context context) {
    double total = 0;
    for (long seed = 0; seed < 8; seed++) {
      float[] d = SceneComposer.compose(BLANK, context, seed).data();
      double sum = 0;
      double sq = 0;
      for (int p = 0; p < 1024; p++) {
        double grey = (d[p] + d[1024 + p] + d[2048 + p]) / 3;
        sum += grey;
        sq += grey * grey;
      }
      double m = sum / 1024;
      total += Math.sqrt(sq / 1024 - m * m) / 8;
    }
    return total;
  }

  private static float maxValue(Context context) {
    float max = 0;
    for (float v : SceneComposer.compose(BLANK, context, 0).data()) {
      max = Math.max(max, v);
    }
    return max;
  }

  private static void assertGreenest(double[] rgb) {
    assertTrue(rgb[1] > rgb[0] && rgb[1] > rgb[2], "land is green: " + Arrays.toString(rgb));
  }

  private static double distance(double[] a, double[] b) {
    return Math.sqrt(
        Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
  }

  private static int firstOf(FashionMnist.Images images, int label) {
    for (int i = 0; ; i++) {
      if (images.label(i) == label) {
        return i;
      }
    }
  }
}
