package io.propensitykit.causal;

import io.propensitykit.display.Formats;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What an effect estimate checks of its rows before it runs, in one aggregation: both arms hold
 * rows, and no outcome or prediction is null or NaN (refused, naming the column and the count,
 * since an estimate over them is NaN or an average over a population that is not there). With
 * weights, it measures how fragile the estimate is: the effective sample size of each arm (Kish's
 * {@code (sum w)^2 / sum w^2}) and the largest share of an arm's weight on one row, and words a
 * warning where few rows carry the estimate.
 */
final class EstimateChecks {

    /** An arm whose effective sample size is below this share of its rows is fragile. */
    static final double LOW_ESS_SHARE = 0.10;
    /** An arm of at least {@link #SHARE_MIN_ROWS} rows where one row carries more than this share is fragile. */
    static final double MAX_ROW_SHARE = 0.10;
    static final long SHARE_MIN_ROWS = 20;

    private EstimateChecks() {}

    /**
     * Checks the rows of an estimate.
     *
     * @param df the rows
     * @param treatCol the treatment column's name, for messages
     * @param t the 0/1 treatment
     * @param w the estimand's weights, or null for an unweighted estimate
     * @param numericCols the outcome and the predictions the estimate reads
     * @return the warnings, empty when the estimate is not fragile
     * @throws IllegalArgumentException when an arm is empty or a value is null or NaN
     */
    static List<String> check(Dataset<?> df, String treatCol, Column t, Column w, String... numericCols) {
        Column one = functions.lit(1.0);
        Column c = one.minus(t);
        List<Column> aggs = new ArrayList<>(List.of(functions.count(functions.lit(1)), functions.sum(t),
                functions.sum(c)));
        for (String col : numericCols) {
            Column v = functions.col(col).cast("double");
            aggs.add(functions.sum(functions.when(v.isNull().or(functions.isnan(v)), 1).otherwise(0)));
        }
        if (w != null) {
            for (Column arm : List.of(t, c)) {
                Column aw = arm.multiply(w);
                aggs.addAll(List.of(functions.sum(aw), functions.sum(aw.multiply(aw)), functions.max(aw)));
            }
        }
        Row r = df.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).first();
        long rows = r.getLong(0);
        long treated = r.isNullAt(1) ? 0 : Math.round(r.getDouble(1));
        long controls = r.isNullAt(2) ? 0 : Math.round(r.getDouble(2));
        if (rows == 0) {
            throw new IllegalArgumentException("No rows to estimate an effect from.");
        }
        requireBothArms(treatCol, treated, rows,
                "An effect compares the treated with the controls; with one arm there is nothing to compare.");
        for (int i = 0; i < numericCols.length; i++) {
            long bad = r.getLong(3 + i);
            if (bad > 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "'%s' is null or NaN in %,d of %,d"
                        + " rows: an estimate over them would be NaN. Drop or impute those rows first.",
                        Formats.oneLine(numericCols[i]), bad, rows));
            }
        }
        List<String> warnings = new ArrayList<>();
        if (w != null) {
            int at = 3 + numericCols.length;
            fragility("treated", treated, r.getDouble(at), r.getDouble(at + 1), r.getDouble(at + 2), warnings);
            fragility("controls", controls, r.getDouble(at + 3), r.getDouble(at + 4), r.getDouble(at + 5), warnings);
        }
        return warnings;
    }

    /**
     * Refuses rows that are all in one arm, naming the treatment column and the count.
     *
     * @param treatCol the treatment column
     * @param treated treated rows
     * @param rows all rows
     * @param why the sentence that says what the computation needed both arms for
     */
    static void requireBothArms(String treatCol, long treated, long rows, String why) {
        if (treated == 0 || treated == rows) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "'%s' has %s: %,d of %,d rows are %s. %s",
                    Formats.oneLine(treatCol), treated == 0 ? "no treated rows" : "no controls", rows, rows,
                    treated == 0 ? "controls" : "treated", why));
        }
    }

    private static void fragility(String arm, long rows, double sum, double squares, double max, List<String> out) {
        if (!(sum > 0)) {
            out.add("the " + arm + " carry no weight for this estimand");
            return;
        }
        double ess = sum * sum / squares;
        if (ess < LOW_ESS_SHARE * rows) {
            out.add(String.format(Locale.ROOT, "the %s' effective sample size is %,.1f of %,d rows", arm, ess, rows));
        }
        if (rows >= SHARE_MIN_ROWS && max / sum > MAX_ROW_SHARE) {
            out.add(String.format(Locale.ROOT, "one of the %s carries %.0f%% of their weight", arm,
                    100 * max / sum));
        }
    }
}
