package io.propensitykit.arch.planted;

/**
 * Planted: a result a note would echo as {@code DumpedResult[auc=0.8123456789012345]} and could not
 * show as a table, for NotebookApiTest's display rule to catch.
 *
 * @param auc a metric with all its digits
 */
public record DumpedResult(double auc) {}
