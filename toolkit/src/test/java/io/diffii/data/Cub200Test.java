package io.diffii.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cub200Test {

  private static final String ALBATROSS = "001.Black_footed_Albatross";
  private static final String AUKLET = "002.Laysan_Albatross";

  @Test
  void readsTrainAndTestFromTheListingFiles(@TempDir Path root) {
    writeTree(root);
    Split split = Cub200.read(root);
    assertEquals(List.of(ALBATROSS, AUKLET), split.train().classNames());
    assertEquals(2, split.train().size());
    assertEquals(1, split.test().size());
    assertEquals(0, split.val().size());
    assertEquals("Black_Footed_Albatross_0001_796111", split.train().get(0).id());
    assertEquals(0, split.train().label(0));
    assertEquals(1, split.train().label(1));
    assertEquals("3", split.test().get(0).attribute(ImageDataset.IMAGE_ID));
    assertEquals(1f, split.train().image(1).get(0, 0, 0));
  }

  @Test
  void brokenLineIsAnErrorNamingFileAndLine(@TempDir Path root) {
    writeTree(root);
    Path labels = Fixtures.text(root.resolve("image_class_labels.txt"), "1 1", "2 two", "3 1");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Cub200.read(root));
    assertTrue(e.getMessage().contains(labels + " line 2"), e.getMessage());
  }

  @Test
  void missingListingOrImageIsAnErrorNamingIt(@TempDir Path root) throws Exception {
    writeTree(root);
    Files.delete(root.resolve("train_test_split.txt"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Cub200.read(root));
    assertTrue(
        e.getMessage().contains(root.resolve("train_test_split.txt").toString()), e.getMessage());

    writeTree(root);
    Files.delete(root.resolve("images").resolve(AUKLET).resolve("Laysan_Albatross_0002_1027.jpg"));
    IllegalArgumentException image =
        assertThrows(IllegalArgumentException.class, () -> Cub200.read(root));
    assertTrue(
        image.getMessage().contains(root.resolve("images.txt") + " line 2"), image.getMessage());
  }

  @Test
  void imageWithoutLabelIsAnError(@TempDir Path root) {
    writeTree(root);
    Fixtures.text(root.resolve("image_class_labels.txt"), "1 1", "2 2");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Cub200.read(root));
    assertTrue(e.getMessage().contains("image id 3"), e.getMessage());
  }

  private static void writeTree(Path root) {
    Fixtures.text(root.resolve("classes.txt"), "1 " + ALBATROSS, "2 " + AUKLET);
    Fixtures.text(
        root.resolve("images.txt"),
        "1 " + ALBATROSS + "/Black_Footed_Albatross_0001_796111.jpg",
        "2 " + AUKLET + "/Laysan_Albatross_0002_1027.jpg",
        "3 " + ALBATROSS + "/Black_Footed_Albatross_0002_55.jpg");
    Fixtures.text(root.resolve("image_class_labels.txt"), "1 1", "2 2", "3 1");
    Fixtures.text(root.resolve("train_test_split.txt"), "1 1", "2 1", "3 0");
    Path images = root.resolve("images");
    Fixtures.image(
        images.resolve(ALBATROSS + "/Black_Footed_Albatross_0001_796111.jpg"), 0x000000, "jpg");
    Fixtures.image(images.resolve(AUKLET + "/Laysan_Albatross_0002_1027.jpg"), 0xFFFFFF, "jpg");
    Fixtures.image(
        images.resolve(ALBATROSS + "/Black_Footed_Albatross_0002_55.jpg"), 0x808080, "jpg");
  }
}
