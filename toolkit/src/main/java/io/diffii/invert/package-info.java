/** DDIM inversion of clean latents into noise latents, the pool Diff-II interpolates within. */
package io.diffii.invert;
