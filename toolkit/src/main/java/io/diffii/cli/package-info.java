/**
 * Command-line entry points named in the README ({@code bin/main}, {@code bin/pretrain}, …). Each
 * command is a thin wrapper over the toolkit's fluent API, so everything it does can also be done
 * from a notebook cell.
 */
package io.diffii.cli;
