package io.diffii.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Record;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDatasetTest {

  @Test
  void imageFolderRoundTripKeepsPixelsLabelsAndIds(@TempDir Path root) {
    ImageDataset train = Splits.fewShot(2, 5).train();
    train.writeImageFolder(root);
    assertTrue(Files.isDirectory(root.resolve("T-shirt_top")), "slash in a class name becomes _");

    ImageDataset back = ImageFolder.read(root, train.classNames());
    assertEquals(train.classNames(), back.classNames());
    assertEquals(train.size(), back.size());
    for (int i = 0; i < train.size(); i++) {
      Sample original = find(train, back.get(i).id());
      assertEquals(original.label(), back.label(i));
      assertArrayEquals(original.image().data(), back.image(i).data(), original.id());
    }
  }

  @Test
  void plainImageFolderReadSortsTheClassFolders(@TempDir Path root) {
    Splits.fewShot(1, 5).train().writeImageFolder(root);
    ImageDataset back = ImageFolder.read(root);
    List<String> sorted = new ArrayList<>(back.classNames());
    sorted.sort(null);
    assertEquals(sorted, back.classNames());
    assertEquals("Ankle boot", back.classNames().get(0));
    assertEquals(10, back.size());
  }

  @Test
  void perClassDrawsTheAskedCountsOrFailsNamingTheClass() {
    ImageDataset tiny = Splits.fewShot(3, 1).train();
    int[] counts = {1, 2, 3, 0, 1, 1, 1, 1, 1, 1};
    assertArrayEquals(counts, tiny.perClass(counts, 9).classCounts());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> tiny.perClass(4, 9));
    assertTrue(e.getMessage().contains("T-shirt/top"), e.getMessage());
  }

  @Test
  void relabelMapsFineClassesToCoarseGroups() {
    ImageDataset coarse =
        Splits.fewShot(1, 1)
            .train()
            .relabel(CoarseGroup.words(), fine -> CoarseGroup.ofFashion(fine).ordinal());
    assertArrayEquals(new int[] {4, 1, 1, 3, 1}, coarse.classCounts());
  }

  @Test
  void labelOutsideTheClassesIsRejected() {
    Sample s = new Sample("a", 2, Map.of(), () -> null);
    assertThrows(
        IllegalArgumentException.class, () -> new ImageDataset(List.of("x", "y"), List.of(s)));
  }

  @Test
  void djlRecordsAreFloatChwImagesWithLongLabels() throws Exception {
    ImageDataset train = Splits.fewShot(1, 2).train();
    try (NDManager manager = NDManager.newBaseManager()) {
      Record record = train.toDjl(4).get(manager, 3);
      NDArray image = record.getData().singletonOrThrow();
      assertEquals(new Shape(3, 32, 32), image.getShape());
      assertEquals(DataType.FLOAT32, image.getDataType());
      assertArrayEquals(train.image(3).data(), image.toFloatArray());
      assertEquals(train.label(3), record.getLabels().singletonOrThrow().getLong());

      int seen = 0;
      for (Batch batch : train.toDjl(4).getData(manager)) {
        seen += (int) batch.getData().head().getShape().get(0);
        batch.close();
      }
      assertEquals(10, seen);
    }
  }

  @Test
  void seededShuffleReplaysTheSameOrder() throws Exception {
    ImageDataset train = Splits.fewShot(1, 2).train();
    try (NDManager manager = NDManager.newBaseManager()) {
      assertEquals(
          labelOrder(train.toDjl(10, 7), manager), labelOrder(train.toDjl(10, 7), manager));
    }
  }

  @Test
  void resizingBuilderGivesTheAskedSize() throws Exception {
    DjlImageDataset djl =
        DjlImageDataset.builder(Splits.fewShot(1, 2).train())
            .optImageSize(16, 24)
            .setSampling(2, false)
            .build();
    try (NDManager manager = NDManager.newBaseManager()) {
      assertEquals(new Shape(3, 16, 24), djl.get(manager, 0).getData().head().getShape());
    }
  }

  private static List<Long> labelOrder(DjlImageDataset djl, NDManager manager) throws Exception {
    List<Long> order = new ArrayList<>();
    for (Batch batch : djl.getData(manager)) {
      for (long label : batch.getLabels().head().toLongArray()) {
        order.add(label);
      }
      batch.close();
    }
    return order;
  }

  private static Sample find(ImageDataset dataset, String id) {
    return dataset.samples().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
  }
}
