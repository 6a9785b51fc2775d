package io.propensitykit.causal;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.List;
import java.util.Locale;

/**
 * How well the treated and the untreated overlap on the propensity score: the range of scores in
 * each arm and the share of rows in the tails, where weights explode and comparisons rest on few
 * people.
 *
 * <pre>{@code
 * Overlap o = Overlap.of(customers, "p_treated", "treated");
 * Dataset<Row> kept = Overlap.trim(customers, "p_treated", 0.05, 0.95);
 * }</pre>
 *
 * @param treated the treated arm's summary
 * @param control the control arm's summary
 * @param outside05 share of all rows with a score outside [0.05, 0.95]
 * @param outside10 share of all rows with a score outside [0.1, 0.9]
 */
public record Overlap(Arm treated, Arm control, double outside05, double outside10) implements Tabular {

    /** @return one row per arm: rows, score range and mean, and the shares outside the usual trims */
    @Override
    public Table table() {
        return Rows.of("overlap", List.of(treated, control)).text("arm", a -> a == treated ? "treated" : "control")
                .count("n", Arm::n).number("min", Arm::min, 4).number("max", Arm::max, 4).number("mean", Arm::mean, 4)
                .number("outside [0.05, 0.95]", Arm::outside05, 4).number("outside [0.1, 0.9]", Arm::outside10, 4)
                .table();
    }

    /** @return both arms' score ranges and the share outside [0.05, 0.95], rounded */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Overlap[treated %.3f to %.3f, controls %.3f to %.3f, %.1f%% outside"
                + " [0.05, 0.95]]", treated.min(), treated.max(), control.min(), control.max(), 100 * outside05);
    }

    /**
     * One arm's scores.
     *
     * @param n rows
     * @param min lowest score
     * @param max highest score
     * @param mean mean score
     * @param outside05 share outside [0.05, 0.95]
     * @param outside10 share outside [0.1, 0.9]
     */
    public record Arm(long n, double min, double max, double mean, double outside05, double outside10) {

        /** @return the arm's size and score range, rounded */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Arm[%,d rows, %.3f to %.3f, mean %.3f]", n, min, max, mean);
        }
    }

    /**
     * Summarizes overlap inside Spark: one aggregation.
     *
     * @param df the rows
     * @param scoreCol the treatment propensity, in (0, 1)
     * @param treatCol 0/1 or boolean treatment
     * @return the summary
     */
    public static Overlap of(Dataset<?> df, String scoreCol, String treatCol) {
        Column e = functions.col(scoreCol).cast("double");
        Column t = Columns.binary(df, treatCol);
        Column out05 = functions.when(e.lt(0.05).or(e.gt(0.95)), 1).otherwise(0);
        Column out10 = functions.when(e.lt(0.1).or(e.gt(0.9)), 1).otherwise(0);
        Row[] arms = new Row[2];
        for (Row r : df.select(t.as("t"), e.as("e"), out05.as("o5"), out10.as("o10")).groupBy("t")
                .agg(functions.count(functions.lit(1)), functions.min("e"), functions.max("e"), functions.avg("e"),
                        functions.sum("o5"), functions.sum("o10")).collectAsList()) {
            arms[(int) r.getDouble(0)] = r;
        }
        if (arms[0] == null || arms[1] == null) {
            throw new IllegalArgumentException("Overlap needs both arms of '" + treatCol + "'; one is empty");
        }
        Arm treated = arm(arms[1]);
        Arm control = arm(arms[0]);
        long n = treated.n() + control.n();
        return new Overlap(treated, control,
                (treated.outside05() * treated.n() + control.outside05() * control.n()) / n,
                (treated.outside10() * treated.n() + control.outside10() * control.n()) / n);
    }

    private static Arm arm(Row r) {
        long n = r.getLong(1);
        return new Arm(n, r.getDouble(2), r.getDouble(3), r.getDouble(4), r.getLong(5) / (double) n,
                r.getLong(6) / (double) n);
    }

    /**
     * Summarizes overlap of arrays exactly.
     *
     * @param scores treatment propensities
     * @param treated the treatment of each row
     * @return the summary
     */
    public static Overlap of(double[] scores, boolean[] treated) {
        double[][] acc = new double[2][6];
        for (int a = 0; a < 2; a++) {
            acc[a][1] = Double.POSITIVE_INFINITY;
            acc[a][2] = Double.NEGATIVE_INFINITY;
        }
        for (int i = 0; i < scores.length; i++) {
            double[] a = acc[treated[i] ? 1 : 0];
            double e = scores[i];
            a[0]++;
            a[1] = Math.min(a[1], e);
            a[2] = Math.max(a[2], e);
            a[3] += e;
            a[4] += e < 0.05 || e > 0.95 ? 1 : 0;
            a[5] += e < 0.1 || e > 0.9 ? 1 : 0;
        }
        if (acc[0][0] == 0 || acc[1][0] == 0) {
            throw new IllegalArgumentException("Overlap needs both arms; one is empty");
        }
        Arm treatedArm = new Arm((long) acc[1][0], acc[1][1], acc[1][2], acc[1][3] / acc[1][0], acc[1][4] / acc[1][0],
                acc[1][5] / acc[1][0]);
        Arm controlArm = new Arm((long) acc[0][0], acc[0][1], acc[0][2], acc[0][3] / acc[0][0], acc[0][4] / acc[0][0],
                acc[0][5] / acc[0][0]);
        double n = acc[0][0] + acc[1][0];
        return new Overlap(treatedArm, controlArm, (acc[0][4] + acc[1][4]) / n, (acc[0][5] + acc[1][5]) / n);
    }

    /**
     * Keeps the rows whose score lies in [lower, upper]: the usual trimming before weighting.
     *
     * @param df the rows
     * @param scoreCol the treatment propensity
     * @param lower the lowest score kept, for example 0.05
     * @param upper the highest score kept, for example 0.95
     * @return the trimmed rows
     */
    public static <T> Dataset<T> trim(Dataset<T> df, String scoreCol, double lower, double upper) {
        if (!(lower >= 0 && lower < upper && upper <= 1)) {
            throw new IllegalArgumentException("Trimming bounds must satisfy 0 <= lower < upper <= 1; found ["
                    + lower + ", " + upper + "]");
        }
        return df.where(functions.col(scoreCol).between(lower, upper));
    }

    /**
     * Keeps the rows whose score lies within the range of the treated's scores (for the ATT: no
     * treated row is then compared with controls unlike any treated), as Dehejia and Wahba trim.
     *
     * @param df the rows
     * @param scoreCol the treatment propensity
     * @param treatCol the 0/1 treatment
     * @param <T> the row type
     * @return the rows on the treated's common support
     */
    public static <T> Dataset<T> commonSupport(Dataset<T> df, String scoreCol, String treatCol) {
        Column t = Columns.binary(df, treatCol);
        Row range = df.where(t.equalTo(1)).agg(functions.min(scoreCol), functions.max(scoreCol))
                .first();
        if (range.isNullAt(0)) {
            throw new IllegalArgumentException("No treated rows in '" + treatCol + "': no common support to keep");
        }
        double lo = ((Number) range.get(0)).doubleValue();
        double hi = ((Number) range.get(1)).doubleValue();
        return df.where(functions.col(scoreCol).geq(lo).and(functions.col(scoreCol).leq(hi)));
    }
}
