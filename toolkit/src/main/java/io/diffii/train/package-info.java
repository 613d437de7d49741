/**
 * Training utilities shared by pretraining, concept learning and classifier fine-tuning: a
 * decoupled-weight-decay Adam optimiser over plain parameter arrays, learning-rate schedules,
 * gradient clipping, an exponential moving average of weights, and a progress line with ETA.
 *
 * <p>The optimiser works on the arrays themselves (not through DJL's {@code Trainer}), so a block
 * whose weights were loaded from a checkpoint can be fine-tuned in part — LoRA matrices, a few
 * embedding rows — by handing over just those arrays.
 */
package io.diffii.train;
