/** Benchmarks: main classes that time the toolkit's hot paths and print the figures; not tests. */
package io.diffii.bench;
