package io.diffii.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OxfordPetsTest {

  @Test
  void readsBreedsFromImageNamesInClassIdOrder(@TempDir Path root) {
    writeTree(root);
    Split split = OxfordPets.read(root);
    assertEquals(
        List.of("Abyssinian", "american_bulldog", "american_pit_bull_terrier"),
        split.train().classNames());
    assertEquals(2, split.train().size());
    assertEquals(2, split.test().size());
    assertEquals("american_bulldog_100", split.train().get(1).id());
    assertEquals(1, split.train().label(1));
    assertEquals("dog", split.train().get(1).attribute(ImageDataset.SPECIES));
    assertEquals("cat", split.train().get(0).attribute(ImageDataset.SPECIES));
    assertEquals(2, split.test().label(1));
  }

  @Test
  void brokenLineIsAnErrorNamingFileAndLine(@TempDir Path root) {
    writeTree(root);
    Path test =
        Fixtures.text(
            root.resolve("annotations/test.txt"),
            "#Image CLASS-ID SPECIES BREED ID",
            "Abyssinian_201 1 1 1",
            "american_pit_bull_terrier_1 x 2 2");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OxfordPets.read(root));
    assertTrue(e.getMessage().contains(test + " line 3"), e.getMessage());
  }

  @Test
  void classIdThatChangesNameIsAnError(@TempDir Path root) {
    writeTree(root);
    Fixtures.text(
        root.resolve("annotations/test.txt"),
        "Abyssinian_201 1 1 1",
        "american_pit_bull_terrier_1 1 2 2");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OxfordPets.read(root));
    assertTrue(e.getMessage().contains("test.txt line 2"), e.getMessage());
  }

  @Test
  void missingListingOrImageIsAnErrorNamingIt(@TempDir Path root) throws Exception {
    writeTree(root);
    Files.delete(root.resolve("annotations/trainval.txt"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OxfordPets.read(root));
    assertTrue(
        e.getMessage().contains(root.resolve("annotations/trainval.txt").toString()),
        e.getMessage());

    writeTree(root);
    Files.delete(root.resolve("images/Abyssinian_201.jpg"));
    IllegalArgumentException image =
        assertThrows(IllegalArgumentException.class, () -> OxfordPets.read(root));
    assertTrue(image.getMessage().contains("test.txt line 2"), image.getMessage());
  }

  private static void writeTree(Path root) {
    Fixtures.text(
        root.resolve("annotations/trainval.txt"),
        "#Image CLASS-ID SPECIES BREED ID",
        "Abyssinian_100 1 1 1",
        "american_bulldog_100 2 2 1");
    Fixtures.text(
        root.resolve("annotations/test.txt"),
        "#Image CLASS-ID SPECIES BREED ID",
        "Abyssinian_201 1 1 1",
        "american_pit_bull_terrier_1 3 2 2");
    for (String name :
        new String[] {
          "Abyssinian_100", "american_bulldog_100", "Abyssinian_201", "american_pit_bull_terrier_1"
        }) {
      Fixtures.image(root.resolve("images/" + name + ".jpg"), 0x886644, "jpg");
    }
  }
}
