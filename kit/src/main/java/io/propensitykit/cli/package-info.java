/** The kit's command line: one set of rules for kit score, generate, bench and run, output-path checks and progress. */
package io.propensitykit.cli;
