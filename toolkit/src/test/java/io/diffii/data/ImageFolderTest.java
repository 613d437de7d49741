package io.diffii.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

  @Test
  void readsSortedClassFoldersWithNestedImages(@TempDir Path root) throws Exception {
    Fixtures.image(root.resolve("zebra/z1.png"), 0xFFFFFF, "png");
    Fixtures.image(root.resolve("ant/a2.JPG"), 0x000000, "jpg");
    Fixtures.image(root.resolve("ant/sub/a1.bmp"), 0xFF0000, "bmp");
    Files.writeString(root.resolve("ant/notes.txt"), "not an image");
    Files.createDirectories(root.resolve(".cache"));

    ImageDataset data = ImageFolder.read(root);
    assertEquals(List.of("ant", "zebra"), data.classNames());
    assertEquals(List.of("a2", "sub/a1", "z1"), data.samples().stream().map(Sample::id).toList());
    assertEquals(List.of(0, 0, 1), List.of(data.label(0), data.label(1), data.label(2)));
    assertEquals(1f, data.image(1).get(0, 0, 0));
  }

  @Test
  void emptyClassFolderIsAnErrorNamingIt(@TempDir Path root) throws Exception {
    Fixtures.image(root.resolve("cat/c.png"), 0, "png");
    Files.createDirectories(root.resolve("dog"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ImageFolder.read(root));
    assertTrue(e.getMessage().contains(root.resolve("dog").toString()), e.getMessage());
  }

  @Test
  void missingRootOrClassFolderIsAnError(@TempDir Path root) {
    IllegalArgumentException noRoot =
        assertThrows(
            IllegalArgumentException.class, () -> ImageFolder.read(root.resolve("nothing")));
    assertTrue(noRoot.getMessage().contains("nothing"), noRoot.getMessage());
    Fixtures.image(root.resolve("cat/c.png"), 0, "png");
    IllegalArgumentException noClass =
        assertThrows(
            IllegalArgumentException.class, () -> ImageFolder.read(root, List.of("cat", "dog")));
    assertTrue(noClass.getMessage().contains(root.resolve("dog").toString()), noClass.getMessage());
    IllegalArgumentException stray =
        assertThrows(IllegalArgumentException.class, () -> ImageFolder.read(root, List.of("dog")));
    assertTrue(stray.getMessage().contains(root.resolve("cat").toString()), stray.getMessage());
  }

  @Test
  void corruptImageIsAnErrorNamingItWhenLoaded(@TempDir Path root) throws Exception {
    Path bad = Fixtures.text(root.resolve("cat/bad.png"), "garbage");
    ImageDataset data = ImageFolder.read(root);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> data.image(0));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
  }

  @Test
  void folderNamesReplaceCharactersThatCannotBeInAPath() {
    assertEquals("T-shirt_top", ImageFolder.folderName("T-shirt/top"));
    assertEquals("F-16A_B", ImageFolder.folderName("F-16A/B"));
    assertEquals("Cessna 172", ImageFolder.folderName("Cessna 172"));
    assertThrows(IllegalArgumentException.class, () -> ImageFolder.folderName(".."));
  }
}
