/**
 * Display helpers for notebooks and reports: image grids ({@link io.diffii.notebook.ImageGrid},
 * {@link io.diffii.notebook.Images}) and XChart charts ({@link io.diffii.notebook.Charts}), drawn
 * off-screen to {@link java.awt.image.BufferedImage}s and PNG.
 */
package io.diffii.notebook;
