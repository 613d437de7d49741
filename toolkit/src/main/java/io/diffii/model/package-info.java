/**
 * Stable Diffusion's networks as DJL blocks with diffusers' and transformers' parameter names, so
 * real checkpoints load unchanged: {@link io.diffii.model.UNet2DConditionModel} and {@link
 * io.diffii.model.AutoencoderKL} built from {@link io.diffii.model.UNetConfig} and {@link
 * io.diffii.model.VaeConfig} (read from a diffusers folder's {@code config.json}, or the {@code
 * tiny} and {@code sd15} presets), their building blocks, and safetensors reading and writing.
 * {@link io.diffii.model.ResizeCrop} is the one resize-and-crop every consumer brings images of any
 * size through: the model at its {@link io.diffii.model.StableDiffusion#resolution}, each
 * classifier at its own input, CLIP inside {@link io.diffii.model.ClipImageProcessor}.
 *
 * <p>Shape legend used throughout: B batch, C channels, H×W feature-map side (h×w for latents), N
 * tokens of a feature map (H·W), M context tokens, D token width, T time-embedding width.
 * Parameters have fixed shapes from construction; arrays are allocated by {@link
 * io.diffii.nn.NamedBlock#initializeParameters} or set by a loader. Every array a forward pass
 * creates belongs to the manager of its input, never to the weights' manager.
 */
package io.diffii.model;
