/** Experiment runners that reproduce the paper's tables and return Tablesaw tables. */
package io.diffii.experiment;
