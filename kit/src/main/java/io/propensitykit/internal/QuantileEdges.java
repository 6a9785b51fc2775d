package io.propensitykit.internal;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.functions;

import java.util.Arrays;

/**
 * The kit's one rule for equal-count groups (deciles, quantile bins): edges at the exact
 * {@code k/groups} quantiles, the smallest value whose rank reaches {@code ceil(k n / groups)} (what
 * Spark's {@code approxQuantile} returns with zero error), and a value on an edge in the lower group,
 * so ties never split. Inside Spark the edges are exact up to {@link #EXACT_ROWS} rows; above, they
 * are Spark's {@code approxQuantile} within {@link #RELATIVE_ERROR} of the rank, so that the driver
 * receives a summary of bounded size rather than every value.
 */
public final class QuantileEdges {

    /**
     * Refuses fewer than one bin, in words, before an array of {@code groups - 1} edges is made.
     *
     * @param groups the bins asked for
     */
    public static void requireGroups(int groups) {
        if (groups < 1) {
            throw new IllegalArgumentException("Binning needs at least one bin; got " + groups);
        }
    }

    /** Up to this many rows, Spark's edges are exact. */
    public static final long EXACT_ROWS = 100_000;
    /** Above {@link #EXACT_ROWS}, the edges' rank error as a fraction of the rows. */
    public static final double RELATIVE_ERROR = 1e-3;

    private QuantileEdges() {}

    /**
     * Exact edges of arrays.
     *
     * @param values the values
     * @param groups the number of groups
     * @return {@code groups - 1} ascending edges
     */
    public static double[] of(double[] values, int groups) {
        requireGroups(groups);
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double[] edges = new double[groups - 1];
        for (int k = 1; k < groups; k++) {
            edges[k - 1] = sorted[Math.max(0, (int) Math.ceil((double) k / groups * sorted.length) - 1)];
        }
        return edges;
    }

    /**
     * Edges computed inside Spark: exact up to {@link #EXACT_ROWS} rows, within
     * {@link #RELATIVE_ERROR} of the rank above.
     *
     * @param df the rows
     * @param col a numeric column
     * @param groups the number of groups
     * @return {@code groups - 1} ascending edges
     */
    public static double[] of(Dataset<?> df, String col, int groups) {
        return of(df, col, groups, rowsUpToExact(df));
    }

    /**
     * As {@link #of(Dataset, String, int)}, for a caller that has counted the rows already.
     *
     * @param df the rows
     * @param col a numeric column
     * @param groups the number of groups
     * @param rows how many rows {@code df} holds
     * @return {@code groups - 1} ascending edges
     */
    public static double[] of(Dataset<?> df, String col, int groups, long rows) {
        requireGroups(groups);
        double[] probabilities = new double[groups - 1];
        for (int k = 1; k < groups; k++) {
            probabilities[k - 1] = (double) k / groups;
        }
        return at(df, new String[] {col}, probabilities, rows)[0];
    }

    /**
     * Quantiles of several columns in one pass, by the same rule: exact up to {@link #EXACT_ROWS}
     * rows, within {@link #RELATIVE_ERROR} of the rank above. Nulls and NaN are left out.
     *
     * @param df the rows
     * @param cols numeric columns
     * @param probabilities ascending probabilities in (0, 1)
     * @return per column, one quantile per probability; empty for a column with no number
     */
    public static double[][] at(Dataset<?> df, String[] cols, double[] probabilities) {
        return at(df, cols, probabilities, rowsUpToExact(df));
    }

    /** The rows, counted up to one more than {@link #EXACT_ROWS}: enough to choose the rule. */
    private static long rowsUpToExact(Dataset<?> df) {
        return df.limit((int) EXACT_ROWS + 1).count();
    }

    private static double[][] at(Dataset<?> df, String[] cols, double[] probabilities, long rows) {
        double error = rows <= EXACT_ROWS ? 0.0 : RELATIVE_ERROR;
        // approxQuantile reads a dot in a name as a path: the columns go in under plain names.
        Column[] plain = new Column[cols.length];
        String[] names = new String[cols.length];
        for (int i = 0; i < cols.length; i++) {
            names[i] = "q" + i;
            plain[i] = Columns.named(cols[i]).as(names[i]);
        }
        return df.select(plain).stat().approxQuantile(names, probabilities, error);
    }

    /**
     * The group of a value: how many edges lie strictly below it, 0 for the lowest group.
     *
     * @param value the value
     * @param edges ascending edges
     * @return the group, 0 to {@code edges.length}
     */
    public static int group(double value, double[] edges) {
        int lo = 0;
        int hi = edges.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (value > edges[mid]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The group of a column's values, as a Spark expression: a binary search written as nested
     * {@code CASE WHEN}s, so a row takes about log2(edges) comparisons however many strata there
     * are. A null value is in group 0; NaN, above every number in Spark, in the last group.
     *
     * @param value the column
     * @param edges ascending edges
     * @return an int column, 0 for the lowest group
     */
    public static Column group(Column value, double[] edges) {
        return search(value, edges, 0, edges.length);
    }

    /** The count of edges below the value, knowing it is between {@code lo} and {@code hi}. */
    private static Column search(Column value, double[] edges, int lo, int hi) {
        if (lo == hi) {
            return functions.lit(lo);
        }
        int mid = (lo + hi) >>> 1;
        return functions.when(value.gt(edges[mid]), search(value, edges, mid + 1, hi))
                .otherwise(search(value, edges, lo, mid));
    }
}
