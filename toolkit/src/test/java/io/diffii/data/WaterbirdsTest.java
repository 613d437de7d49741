package io.diffii.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WaterbirdsTest {

  private static final String HEADER = "img_id,img_filename,y,split,place,place_filename";

  @Test
  void readsThreePartsWithFineClassesAndGroupAttributes(@TempDir Path root) {
    writeTree(
        root,
        HEADER,
        "1,001.Albatross/a_1.jpg,1,0,1,/o/ocean/1.jpg",
        "2,002.Warbler/w_1.jpg,0,0,0,/f/forest/1.jpg",
        "3,001.Albatross/a_2.jpg,1,1,0,/f/forest/2.jpg",
        "4,002.Warbler/w_2.jpg,0,2,1,/o/ocean/2.jpg");
    Split split = Waterbirds.read(root);
    assertEquals(List.of("001.Albatross", "002.Warbler"), split.train().classNames());
    assertEquals(2, split.train().size());
    assertEquals(1, split.val().size());
    assertEquals(1, split.test().size());
    Sample warbler = split.test().get(0);
    assertEquals(1, warbler.label());
    assertEquals("w_2", warbler.id());
    assertEquals("0", warbler.attribute(ImageDataset.Y));
    assertEquals("1", warbler.attribute(ImageDataset.PLACE));
    assertEquals("0", split.val().get(0).attribute(ImageDataset.PLACE));
  }

  @Test
  void brokenLineIsAnErrorNamingFileAndLine(@TempDir Path root) {
    writeTree(root, HEADER, "1,001.Albatross/a_1.jpg,1,0,1,x", "2,002.Warbler/w_1.jpg,0,7,0,x");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Waterbirds.read(root));
    assertTrue(e.getMessage().contains(root.resolve("metadata.csv") + " line 3"), e.getMessage());
    assertTrue(e.getMessage().contains("split"), e.getMessage());
  }

  @Test
  void headerWithoutPlaceIsAnError(@TempDir Path root) {
    writeTree(root, "img_id,img_filename,y,split", "1,001.Albatross/a_1.jpg,1,0");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Waterbirds.read(root));
    assertTrue(
        e.getMessage().contains("line 1") && e.getMessage().contains("place"), e.getMessage());
  }

  @Test
  void missingMetadataOrImageIsAnErrorNamingIt(@TempDir Path root) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Waterbirds.read(root));
    assertTrue(e.getMessage().contains(root.resolve("metadata.csv").toString()), e.getMessage());
    writeTree(root, HEADER, "1,001.Albatross/a_1.jpg,1,0,1,x", "2,002.Warbler/absent.jpg,0,0,0,x");
    IllegalArgumentException image =
        assertThrows(IllegalArgumentException.class, () -> Waterbirds.read(root));
    assertTrue(
        image.getMessage().contains("line 3") && image.getMessage().contains("absent.jpg"),
        image.getMessage());
  }

  private static void writeTree(Path root, String... lines) {
    Fixtures.text(root.resolve("metadata.csv"), lines);
    for (String name :
        new String[] {
          "001.Albatross/a_1.jpg",
          "001.Albatross/a_2.jpg",
          "002.Warbler/w_1.jpg",
          "002.Warbler/w_2.jpg"
        }) {
      Fixtures.image(root.resolve(name), 0x336699, "jpg");
    }
  }
}
