/**
 * What changed between two runs: score and feature drift between a baseline and a current
 * DataFrame ({@link io.propensitykit.monitor.Drift}), computed inside Spark and reported as a table
 * ranked by PSI, JSON for a pipeline, and plots; a baseline's summary saved once
 * ({@link io.propensitykit.monitor.DriftProfile}) to compare each later run with.
 */
package io.propensitykit.monitor;
