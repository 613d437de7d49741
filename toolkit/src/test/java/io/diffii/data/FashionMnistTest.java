package io.diffii.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

  private static final Path INSTALLED = FashionMnist.defaultDir();

  @Test
  void loadsSixtyThousandTrainingAndTenThousandTestImages() {
    FashionMnist data = FashionMnist.load();
    assertEquals(60_000, data.train().size());
    assertEquals(10_000, data.test().size());
  }

  @Test
  void everyClassHasSixThousandTrainingAndOneThousandTestImages() {
    FashionMnist data = FashionMnist.load();
    int[] train = new int[10];
    Arrays.fill(train, 6_000);
    int[] test = new int[10];
    Arrays.fill(test, 1_000);
    assertArrayEquals(train, data.train().classCounts());
    assertArrayEquals(test, data.test().classCounts());
  }

  @Test
  void imagesAreGreyItemsOnBlackWithMatchingFloats() {
    FashionMnist.Images train = FashionMnist.load().train();
    byte[] bytes = train.image(0);
    float[] floats = train.imageFloat(0);
    assertEquals(784, bytes.length);
    assertEquals(0, bytes[0]);
    int ink = 0;
    for (int p = 0; p < 784; p++) {
      assertEquals((bytes[p] & 0xff) / 255f, floats[p]);
      ink += bytes[p] != 0 ? 1 : 0;
    }
    assertTrue(ink > 100, "image 0 should show an item, has " + ink + " non-zero pixels");
  }

  @Test
  void namesTheTenClassesInLabelOrder() {
    assertEquals(10, FashionMnist.CLASS_NAMES.size());
    assertEquals("T-shirt/top", FashionMnist.CLASS_NAMES.get(0));
    assertEquals("Ankle boot", FashionMnist.CLASS_NAMES.get(9));
  }

  @Test
  void truncatedFileIsAnErrorNamingItAndTheFix(@TempDir Path dir) throws IOException {
    for (String name :
        new String[] {
          "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"
        }) {
      Files.copy(INSTALLED.resolve(name), dir.resolve(name));
    }
    byte[] whole = Files.readAllBytes(INSTALLED.resolve("train-images-idx3-ubyte.gz"));
    Path truncated = dir.resolve("train-images-idx3-ubyte.gz");
    Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));

    RuntimeException e = assertThrows(RuntimeException.class, () -> FashionMnist.load(dir));
    assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("apt-get install -y dataset-fashion-mnist"), e.getMessage());
  }

  @Test
  void missingFileIsAnErrorSayingWhatToInstall(@TempDir Path dir) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FashionMnist.load(dir));
    assertTrue(
        e.getMessage().contains(dir.resolve("train-images-idx3-ubyte.gz").toString()),
        e.getMessage());
    assertTrue(e.getMessage().contains("apt-get install -y dataset-fashion-mnist"), e.getMessage());
  }

  @Test
  void systemPropertyOverridesTheDefaultFolder() {
    String before = System.getProperty(FashionMnist.DIR_PROPERTY);
    try {
      System.setProperty(FashionMnist.DIR_PROPERTY, "/somewhere/else");
      assertEquals(Path.of("/somewhere/else"), FashionMnist.defaultDir());
    } finally {
      if (before == null) {
        System.clearProperty(FashionMnist.DIR_PROPERTY);
      } else {
        System.setProperty(FashionMnist.DIR_PROPERTY, before);
      }
    }
  }
}
