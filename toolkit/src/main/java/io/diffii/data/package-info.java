/**
 * Data sets: the Fashion-MNIST IDX reader, the Fashion-scene compositor of the embedded benchmark,
 * its few-shot / long-tail / OOD splits, readers for real fine-grained data sets in their published
 * layouts, and image I/O.
 *
 * <p>Everything becomes an {@link io.diffii.data.ImageDataset} (class names, samples with labels
 * and optional attributes, images loaded on demand), which converts to a DJL {@link
 * ai.djl.training.dataset.RandomAccessDataset} ({@link io.diffii.data.ImageDataset#toDjl}) and to
 * and from an ImageFolder tree ({@link io.diffii.data.ImageFolder}).
 *
 * <p>Readers and their layouts:
 *
 * <ul>
 *   <li>{@link io.diffii.data.ImageFolder}: {@code root/<class>/<image>}, classes sorted.
 *   <li>{@link io.diffii.data.Cub200}: {@code classes.txt}, {@code images.txt}, {@code
 *       image_class_labels.txt}, {@code train_test_split.txt}, {@code images/}.
 *   <li>{@link io.diffii.data.Waterbirds}: {@code metadata.csv} (img_filename, y, split, place).
 *   <li>{@link io.diffii.data.FgvcAircraft}: {@code data/images_variant_{train,val,test}.txt},
 *       {@code data/images/}.
 *   <li>{@link io.diffii.data.OxfordPets}: {@code annotations/trainval.txt}, {@code
 *       annotations/test.txt}, {@code images/}.
 *   <li>Stanford Cars and Flowers-102 publish their labels as MATLAB files ({@code cars_annos.mat},
 *       {@code imagelabels.mat} and {@code setid.mat}), which this toolkit does not parse: convert
 *       them once to ImageFolder trees ({@code train/<class>/…}, {@code test/<class>/…}) and read
 *       those with {@link io.diffii.data.ImageFolder#read}.
 * </ul>
 *
 * <p>A missing file or a malformed line is one {@link IllegalArgumentException} naming the file and
 * line number; an image that cannot be decoded is an error naming the image file.
 */
package io.diffii.data;
