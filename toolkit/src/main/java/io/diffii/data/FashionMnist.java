package io.diffii.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST read from its four gzip IDX files ({@code train-images-idx3-ubyte.gz}, {@code
 * train-labels-idx1-ubyte.gz}, {@code t10k-images-idx3-ubyte.gz}, {@code
 * t10k-labels-idx1-ubyte.gz}): 60,000 training and 10,000 test images of 28×28 grey bytes, 10
 * classes.
 *
 * <p>The folder is, in this order of precedence: the system property {@value #DIR_PROPERTY}, the
 * environment variable {@value #DIR_ENV}, or {@value #DEFAULT_DIR}, where Debian's {@code
 * dataset-fashion-mnist} package installs it.
 */
public final class FashionMnist {

  /** Where Debian's {@code dataset-fashion-mnist} puts the files. */
  public static final String DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

  /** System property naming another folder. */
  public static final String DIR_PROPERTY = "diffii.fashionMnist";

  /** Environment variable naming another folder. */
  public static final String DIR_ENV = "DIFFII_FASHION_MNIST";

  /** The command that installs the data set. */
  public static final String INSTALL_HINT = "apt-get install -y dataset-fashion-mnist";

  /** Image side in pixels. */
  public static final int SIDE = 28;

  /** The ten class names, indexed by label. */
  public static final List<String> CLASS_NAMES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  private static final int IMAGE_MAGIC = 0x00000803;
  private static final int LABEL_MAGIC = 0x00000801;
  private static volatile FashionMnist defaultInstance;

  private final Images train;
  private final Images test;

  private FashionMnist(Images train, Images test) {
    this.train = train;
    this.test = test;
  }

  /** Returns the 60,000 training images. */
  public Images train() {
    return train;
  }

  /** Returns the 10,000 test images. */
  public Images test() {
    return test;
  }

  /** Returns the folder {@link #load()} reads: property, then environment, then default. */
  public static Path defaultDir() {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir == null || dir.isBlank()) {
      dir = System.getenv(DIR_ENV);
    }
    return Path.of(dir == null || dir.isBlank() ? DEFAULT_DIR : dir);
  }

  /** Loads the data set from {@link #defaultDir()}; the result is read once and then shared. */
  public static FashionMnist load() {
    FashionMnist data = defaultInstance;
    if (data == null) {
      synchronized (FashionMnist.class) {
        if (defaultInstance == null) {
          defaultInstance = load(defaultDir());
        }
        data = defaultInstance;
      }
    }
    return data;
  }

  /** Loads the data set from the four IDX files in {@code dir}. */
  public static FashionMnist load(Path dir) {
    return new FashionMnist(
        readPart(
            dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz")),
        readPart(
            dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz")));
  }

  private static Images readPart(Path imageFile, Path labelFile) {
    byte[] pixels = readIdx(imageFile, IMAGE_MAGIC);
    byte[] labels = readIdx(labelFile, LABEL_MAGIC);
    if (pixels.length != labels.length * SIDE * SIDE) {
      throw new IllegalArgumentException(
          imageFile
              + " holds "
              + pixels.length / (SIDE * SIDE)
              + " images but "
              + labelFile
              + " holds "
              + labels.length
              + " labels");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= CLASS_NAMES.size()) {
        throw new IllegalArgumentException(
            labelFile + ": label " + labels[i] + " at item " + i + " is outside 0..9");
      }
    }
    return new Images(pixels, labels);
  }

  /** Reads one gzip IDX file and returns its payload after checking magic number and sizes. */
  private static byte[] readIdx(Path file, int magic) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "Fashion-MNIST file "
              + file
              + " is missing: install it with `"
              + INSTALL_HINT
              + "` or point -D"
              + DIR_PROPERTY
              + " or "
              + DIR_ENV
              + " at a folder holding"
              + " the four IDX .gz files");
    }
    try (InputStream raw = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
      int found = in.readInt();
      if (found != magic) {
        throw new IllegalArgumentException(
            file
                + " is not an IDX file of the expected kind: magic 0x"
                + Integer.toHexString(found)
                + ", expected 0x"
                + Integer.toHexString(magic));
      }
      int count = in.readInt();
      int itemSize = magic == IMAGE_MAGIC ? readImageSize(in, file) : 1;
      byte[] payload = new byte[count * itemSize];
      in.readFully(payload);
      return payload;
    } catch (EOFException e) {
      throw new IllegalArgumentException(
          "Fashion-MNIST file " + file + " is truncated; reinstall it with `" + INSTALL_HINT + "`",
          e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read Fashion-MNIST file "
              + file
              + " ("
              + e.getMessage()
              + "); reinstall it with `"
              + INSTALL_HINT
              + "`",
          e);
    }
  }

  private static int readImageSize(DataInputStream in, Path file) throws IOException {
    int rows = in.readInt();
    int cols = in.readInt();
    if (rows != SIDE || cols != SIDE) {
      throw new IllegalArgumentException(
          file + " holds " + rows + "x" + cols + " images, expected " + SIDE + "x" + SIDE);
    }
    return SIDE * SIDE;
  }

  /** One part (train or test) of the data set: grey 28×28 images with their labels. */
  public static final class Images {

    private final byte[] pixels;
    private final byte[] labels;

    private Images(byte[] pixels, byte[] labels) {
      this.pixels = pixels;
      this.labels = labels;
    }

    /** Returns the number of images. */
    public int size() {
      return labels.length;
    }

    /** Returns image {@code i} as 784 unsigned bytes (row-major, 0 background, 255 ink). */
    public byte[] image(int i) {
      byte[] out = new byte[SIDE * SIDE];
      System.arraycopy(pixels, checkIndex(i) * out.length, out, 0, out.length);
      return out;
    }

    /** Returns image {@code i} as 784 floats in [0, 1] (row-major). */
    public float[] imageFloat(int i) {
      float[] out = new float[SIDE * SIDE];
      int offset = checkIndex(i) * out.length;
      for (int p = 0; p < out.length; p++) {
        out[p] = (pixels[offset + p] & 0xff) / 255f;
      }
      return out;
    }

    /** Returns the class label (0–9) of image {@code i}. */
    public int label(int i) {
      return labels[checkIndex(i)];
    }

    /** Returns how many images each of the ten classes has. */
    public int[] classCounts() {
      int[] counts = new int[CLASS_NAMES.size()];
      for (byte label : labels) {
        counts[label]++;
      }
      return counts;
    }

    private int checkIndex(int i) {
      if (i < 0 || i >= labels.length) {
        throw new IndexOutOfBoundsException("image " + i + " of " + labels.length);
      }
      return i;
    }
  }
}
