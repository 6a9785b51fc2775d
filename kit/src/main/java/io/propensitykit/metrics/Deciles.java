package io.propensitykit.metrics;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;
import io.propensitykit.internal.QuantileEdges;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The decile table marketing teams read: customers ranked by score into ten groups, decile 1 the
 * highest, with each group's size, responders, response rate, lift over the average, and the
 * cumulative gain (share of all responders captured so far) and cumulative lift.
 *
 * <pre>{@code
 * Deciles d = Deciles.of(scored, "propensity", "purchased");
 * d.show();                          // a %table in a note; d.table() for Tablesaw
 * d.writeCsv(Path.of("deciles.csv"));
 * }</pre>
 *
 * <p>Decile edges are the exact 10%, 20%, … 90% quantiles of the score: the smallest score whose
 * rank reaches {@code ceil(p * n)}, which is what Spark's {@code approxQuantile} returns with zero
 * error. A score equal to an edge belongs to the lower group, so ties never split across deciles.
 *
 * @param rows one row per decile, decile 1 first
 * @param overallRate the response rate of all rows
 */
public record Deciles(List<Decile> rows, double overallRate) implements Tabular {

    /**
     * One decile.
     *
     * @param decile 1 (highest scores) to 10
     * @param n rows in the decile
     * @param responders rows with label 1
     * @param rate responders / n (NaN for an empty decile)
     * @param lift rate / overall rate
     * @param cumulativeGain responders in deciles 1..decile over all responders
     * @param cumulativeLift the response rate of deciles 1..decile over the overall rate
     * @param minScore the lowest score in the decile
     * @param maxScore the highest score in the decile
     */
    public record Decile(int decile, long n, long responders, double rate, double lift, double cumulativeGain,
            double cumulativeLift, double minScore, double maxScore) {

        /** @return the decile, its size, rate and lift, rounded */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Decile[%d: %,d rows, rate %.4f, lift %.2f]", decile, n, rate, lift);
        }
    }

    /**
     * Builds the table from arrays, exactly.
     *
     * @param scores one score per row
     * @param labels one label per row
     * @return the deciles
     */
    public static Deciles of(double[] scores, boolean[] labels) {
        Columns.requireSameLength(scores, labels);
        for (double s : scores) {
            if (Double.isNaN(s)) {
                throw new IllegalArgumentException("A score is NaN; drop or fill it first.");
            }
        }
        double[] edges = QuantileEdges.of(scores, 10);
        Groups g = new Groups();
        for (int i = 0; i < scores.length; i++) {
            int d = 9 - QuantileEdges.group(scores[i], edges);
            g.n[d]++;
            g.pos[d] += labels[i] ? 1 : 0;
            g.min[d] = Math.min(g.min[d], scores[i]);
            g.max[d] = Math.max(g.max[d], scores[i]);
        }
        return g.deciles();
    }

    /**
     * Builds the table from a Tablesaw table's columns, exactly.
     *
     * @param table the rows
     * @param scoreCol the score column
     * @param labelCol a 0/1 or boolean label column
     * @return the deciles
     */
    public static Deciles of(Table table, String scoreCol, String labelCol) {
        return of(Columns.doubles(table, scoreCol), Columns.labels(table, labelCol));
    }

    /**
     * Builds the table inside Spark: the rows checked and counted in one aggregation, exact
     * quantiles, then one aggregation of ten rows.
     *
     * @param df the rows
     * @param scoreCol the score column
     * @param labelCol a 0/1 or boolean label column
     * @return the deciles
     */
    public static Deciles of(Dataset<?> df, String scoreCol, String labelCol) {
        Columns.Deferred checked = Columns.valuesAndLabelsDeferred(df, scoreCol, labelCol);
        Dataset<Row> sy = checked.rows();
        Row counted = sy.agg(functions.count(functions.lit(1)), checked.checks()).first();
        checked.verify(List.of(counted), 1);
        double[] edges = QuantileEdges.of(sy, "s", 10, counted.getLong(0));
        Column above = QuantileEdges.group(functions.col("s"), edges);
        Groups g = new Groups();
        for (Row r : sy.withColumn("d", functions.lit(9).minus(above)).groupBy("d")
                .agg(functions.count(functions.lit(1)), functions.sum("y"), functions.min("s"), functions.max("s"))
                .collectAsList()) {
            int d = r.getInt(0);
            g.n[d] = r.getLong(1);
            g.pos[d] = Math.round(r.getDouble(2));
            g.min[d] = r.getDouble(3);
            g.max[d] = r.getDouble(4);
        }
        return g.deciles();
    }

    /** Per-decile counts and score ranges, index 0 for decile 1. */
    private static final class Groups {
        final long[] n = new long[10];
        final long[] pos = new long[10];
        final double[] min = new double[10];
        final double[] max = new double[10];

        Groups() {
            Arrays.fill(min, Double.POSITIVE_INFINITY);
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
        }

        Deciles deciles() {
            return from(n, pos, min, max);
        }
    }

    private static Deciles from(long[] n, long[] pos, double[] min, double[] max) {
        long total = Arrays.stream(n).sum();
        long responders = Arrays.stream(pos).sum();
        double overall = (double) responders / total;
        List<Decile> rows = new ArrayList<>();
        long cumN = 0;
        long cumPos = 0;
        for (int d = 0; d < 10; d++) {
            cumN += n[d];
            cumPos += pos[d];
            double rate = n[d] == 0 ? Double.NaN : (double) pos[d] / n[d];
            rows.add(new Decile(d + 1, n[d], pos[d], rate, rate / overall, (double) cumPos / responders,
                    cumN == 0 ? Double.NaN : (double) cumPos / cumN / overall,
                    n[d] == 0 ? Double.NaN : min[d], n[d] == 0 ? Double.NaN : max[d]));
        }
        return new Deciles(List.copyOf(rows), overall);
    }

    /** @return one row per decile: size, responders, rate, lift, cumulative gain and lift, score range */
    @Override
    public Table table() {
        return Rows.of("deciles", rows).count("decile", Decile::decile).count("n", Decile::n)
                .count("responders", Decile::responders).number("rate", Decile::rate, 4)
                .number("lift", Decile::lift, 2).number("cumulative_gain", Decile::cumulativeGain, 4)
                .number("cumulative_lift", Decile::cumulativeLift, 2).number("min_score", Decile::minScore, 4)
                .number("max_score", Decile::maxScore, 4).table();
    }

    /** @return the number of deciles, rows, the overall rate and the top decile's lift, rounded */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Deciles[%d deciles, %,d rows, rate %.4f, top lift %.2f]", rows.size(),
                rows.stream().mapToLong(Decile::n).sum(), overallRate,
                rows.isEmpty() ? Double.NaN : rows.get(0).lift());
    }

    /**
     * Writes the table as CSV with a header.
     *
     * @param file the CSV file
     */
    public void writeCsv(Path file) {
        table().write().csv(file.toFile());
    }
}
