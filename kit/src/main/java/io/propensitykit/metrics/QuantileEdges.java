package io.propensitykit.metrics;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.functions;

import java.util.Arrays;

/**
 * The kit's one rule for equal-count groups (deciles, quantile bins): edges at the exact
 * {@code k/groups} quantiles, the smallest value whose rank reaches {@code ceil(k n / groups)} (what
 * Spark's {@code approxQuantile} returns with zero error), and a value on an edge in the lower group,
 * so ties never split.
 */
public final class QuantileEdges {

    private QuantileEdges() {}

    /**
     * Exact edges of arrays.
     *
     * @param values the values
     * @param groups the number of groups
     * @return {@code groups - 1} ascending edges
     */
    public static double[] of(double[] values, int groups) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] edges = new double[groups - 1];
        for (int k = 1; k < groups; k++) {
            edges[k - 1] = sorted[Math.max(0, (int) Math.ceil((double) k / groups * sorted.length) - 1)];
        }
        return edges;
    }

    /**
     * Exact edges computed inside Spark.
     *
     * @param df the rows
     * @param col a numeric column
     * @param groups the number of groups
     * @return {@code groups - 1} ascending edges
     */
    public static double[] of(Dataset<?> df, String col, int groups) {
        double[] probabilities = new double[groups - 1];
        for (int k = 1; k < groups; k++) {
            probabilities[k - 1] = (double) k / groups;
        }
        return df.stat().approxQuantile(col, probabilities, 0.0);
    }

    /**
     * The group of a value: how many edges lie strictly below it, 0 for the lowest group.
     *
     * @param value the value
     * @param edges ascending edges
     * @return the group, 0 to {@code edges.length}
     */
    public static int group(double value, double[] edges) {
        int above = 0;
        for (double e : edges) {
            if (value > e) {
                above++;
            }
        }
        return above;
    }

    /**
     * The group of a column's values, as a Spark expression.
     *
     * @param value the column
     * @param edges ascending edges
     * @return an int column, 0 for the lowest group
     */
    public static Column group(Column value, double[] edges) {
        Column above = functions.lit(0);
        for (double e : edges) {
            above = above.plus(functions.when(value.gt(e), 1).otherwise(0));
        }
        return above;
    }
}
