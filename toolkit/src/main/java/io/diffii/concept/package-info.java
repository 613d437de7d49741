/**
 * Concept learning (paper Sec. 3.1): textual-inversion tokens per class and LoRA adapters shared by
 * all classes, trained with the ε-prediction loss, saved in the formats diffusers reads.
 */
package io.diffii.concept;
