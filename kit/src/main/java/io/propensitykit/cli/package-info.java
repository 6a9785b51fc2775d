/**
 * The kit's commands, its top floor: {@code kit score}, {@code kit drift} and {@code kit generate} with the rules
 * every command follows (flags, exit codes, one-line errors, output-path checks, progress); no library package
 * depends on them.
 */
package io.propensitykit.cli;
