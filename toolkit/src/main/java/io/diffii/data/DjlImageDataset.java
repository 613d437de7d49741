package io.diffii.data;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;

/**
 * An {@link ImageDataset} seen by DJL: record {@code i} has data {@code float32 [3, H, W]} in [0,
 * 1] and label the class id as an {@code int64} scalar (as DJL's own image data sets give it).
 * Images are resized to the size set with {@link Builder#optImageSize}, or kept as they are.
 */
public final class DjlImageDataset extends RandomAccessDataset {

  private final ImageDataset images;
  private final int height;
  private final int width;

  private DjlImageDataset(Builder builder) {
    super(builder);
    this.images = builder.images;
    this.height = builder.height;
    this.width = builder.width;
  }

  /** Returns a builder over {@code images}; set the sampling before {@code build()}. */
  public static Builder builder(ImageDataset images) {
    return new Builder(images);
  }

  /** Returns the wrapped data set. */
  public ImageDataset images() {
    return images;
  }

  /** {@inheritDoc} */
  @Override
  public Record get(NDManager manager, long index) {
    int i = Math.toIntExact(index);
    RgbImage image = images.image(i);
    if (height > 0) {
      image = image.resize(height, width);
    }
    NDList data =
        new NDList(manager.create(image.data(), new Shape(3, image.height(), image.width())));
    NDList label = new NDList(manager.create((long) images.label(i)));
    return new Record(data, label);
  }

  /** {@inheritDoc} */
  @Override
  protected long availableSize() {
    return images.size();
  }

  /** Does nothing: images load on demand. */
  @Override
  public void prepare(Progress progress) {}

  /** Builds a {@link DjlImageDataset}. */
  public static final class Builder extends RandomAccessDataset.BaseBuilder<Builder> {

    private final ImageDataset images;
    private int height;
    private int width;

    private Builder(ImageDataset images) {
      this.images = images;
    }

    /** Resizes every image to {@code height × width} (needed when image sizes differ). */
    public Builder optImageSize(int height, int width) {
      if (height <= 0 || width <= 0) {
        throw new IllegalArgumentException(
            "image size must be positive, got " + height + "x" + width);
      }
      this.height = height;
      this.width = width;
      return this;
    }

    /** {@inheritDoc} */
    @Override
    protected Builder self() {
      return this;
    }

    /** Returns the data set. */
    public DjlImageDataset build() {
      return new DjlImageDataset(this);
    }
  }
}
