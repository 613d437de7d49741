package io.diffii.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FgvcAircraftTest {

  @Test
  void readsVariantsWithSpacesInSortedOrder(@TempDir Path root) {
    writeTree(root);
    Split split = FgvcAircraft.read(root);
    assertEquals(List.of("707-320", "Cessna 172", "F-16A/B"), split.train().classNames());
    assertEquals(2, split.train().size());
    assertEquals(1, split.val().size());
    assertEquals(1, split.test().size());
    assertEquals("1025794", split.train().get(0).id());
    assertEquals(1, split.train().label(0));
    assertEquals(2, split.test().label(0));
    assertEquals(3, split.test().image(0).height());
  }

  @Test
  void brokenLineIsAnErrorNamingFileAndLine(@TempDir Path root) {
    writeTree(root);
    Path val =
        Fixtures.text(root.resolve("data/images_variant_val.txt"), "0056978 707-320", "1025794");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FgvcAircraft.read(root));
    assertTrue(e.getMessage().contains(val + " line 2"), e.getMessage());
  }

  @Test
  void missingListingOrImageIsAnErrorNamingIt(@TempDir Path root) throws Exception {
    writeTree(root);
    Files.delete(root.resolve("data/images_variant_test.txt"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FgvcAircraft.read(root));
    assertTrue(
        e.getMessage().contains(root.resolve("data/images_variant_test.txt").toString()),
        e.getMessage());

    writeTree(root);
    Files.delete(root.resolve("data/images/2241589.jpg"));
    IllegalArgumentException image =
        assertThrows(IllegalArgumentException.class, () -> FgvcAircraft.read(root));
    assertTrue(image.getMessage().contains("images_variant_train.txt line 2"), image.getMessage());
  }

  private static void writeTree(Path root) {
    Fixtures.text(
        root.resolve("data/images_variant_train.txt"), "1025794 Cessna 172", "2241589 707-320");
    Fixtures.text(root.resolve("data/images_variant_val.txt"), "0056978 707-320");
    Fixtures.text(root.resolve("data/images_variant_test.txt"), "1340192 F-16A/B");
    for (String id : new String[] {"1025794", "2241589", "0056978", "1340192"}) {
      Fixtures.image(root.resolve("data/images/" + id + ".jpg"), 0xAABBCC, "jpg");
    }
  }
}
