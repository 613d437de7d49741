/**
 * The Java Jupyter kernel: JShell evaluation behind the Jupyter messaging protocol (through {@code
 * jupyter-jvm-basekernel}), with IJava's kernelspec name {@code java}, its magics ({@code
 * %classpath}, {@code %jars}, {@code %load}) and rich display of images, XChart charts and Tablesaw
 * tables. {@link io.diffii.kernel.JavaKernel#main(String[])} is the process entry point.
 */
package io.diffii.kernel;
