/**
 * The benchmark suite on JMH: the UNet, text encoder, autoencoder and scheduler at the batches the
 * pipeline uses, one concept-learning step, one fine-tuning step per backbone, and the stage
 * throughputs (inversion, generation), each with its multiply-adds counted from the model config
 * ({@link io.diffii.bench.Flops}) and the forked JVM's peak resident memory. {@link
 * io.diffii.bench.BenchMain} runs it and writes the table; {@code bin/bench} is the command.
 */
package io.diffii.bench;
