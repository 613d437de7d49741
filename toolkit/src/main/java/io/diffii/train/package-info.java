/**
 * Training shared by pretraining, concept learning and classifier training: one {@link
 * io.diffii.train.TrainingLoop} (step range, per-step scope and random generator, backward,
 * clipping, dropping of non-finite steps, progress, checkpoint and resume), the {@link
 * io.diffii.train.Optimizer} interface with AdamW and SGD with momentum, learning-rate schedules,
 * an exponential moving average of weights, and the checkpoint file.
 *
 * <p>The optimisers work on the arrays themselves (not through DJL's {@code Trainer}), so a block
 * whose weights were loaded from a checkpoint can be fine-tuned in part — LoRA matrices, a few
 * embedding rows — by handing over just those arrays.
 */
package io.diffii.train;
