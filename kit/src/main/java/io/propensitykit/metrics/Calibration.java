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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleToIntFunction;

/**
 * Calibration of a probability score: reliability bins, either {@code bins} equal-width intervals
 * over [0, 1] (the last one closed) or quantile bins holding about equally many rows
 * ({@link QuantileEdges}), with the
 * expected and maximum calibration errors.
 *
 * <pre>{@code
 * Calibration c = Calibration.of(scored, "propensity", "purchased", 10);
 * c.ece();      // sum over bins of (bin share) * |observed rate - mean score|
 * c.bins();     // what a reliability diagram draws
 * }</pre>
 *
 * @param bins the non-empty bins, lowest first
 * @param ece the expected calibration error
 * @param mce the maximum calibration error over non-empty bins
 */
public record Calibration(List<Bin> bins, double ece, double mce) implements Tabular {

    /** @return one row per bin: its score range, rows, mean score and observed rate */
    @Override
    public Table table() {
        return Rows.of("calibration", bins).number("from", Bin::lower, 4).number("to", Bin::upper, 4).count("n", Bin::n)
                .number("mean score", Bin::meanScore, 4).number("observed rate", Bin::observedRate, 4).table();
    }

    /** @return the bins and both calibration errors, rounded */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Calibration[%d bins, ECE %.4f, MCE %.4f]", bins.size(), ece, mce);
    }

    /**
     * One reliability bin.
     *
     * @param index the bin number, 0 for [0, 1/bins)
     * @param lower the bin's lower edge
     * @param upper the bin's upper edge
     * @param n rows in the bin
     * @param meanScore their mean score
     * @param observedRate their share of label 1
     */
    public record Bin(int index, double lower, double upper, long n, double meanScore, double observedRate) {

        /** @return the bin's range, rows, mean score and observed rate, rounded */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Bin[%.3f to %.3f: %,d rows, score %.4f, rate %.4f]", lower, upper, n,
                    meanScore, observedRate);
        }
    }

    /**
     * Bins arrays exactly.
     *
     * @param scores probabilities in [0, 1]
     * @param labels one label per score
     * @param bins the number of equal-width bins
     * @return the calibration
     */
    public static Calibration of(double[] scores, boolean[] labels, int bins) {
        return new Sums(equalWidth(bins)).add(scores, labels, b -> equalWidthBin(b, bins)).calibration();
    }

    /**
     * Bins a Tablesaw table's columns exactly.
     *
     * @param table the rows
     * @param scoreCol probabilities in [0, 1]
     * @param labelCol 0/1 or boolean
     * @param bins the number of equal-width bins
     * @return the calibration
     */
    public static Calibration of(Table table, String scoreCol, String labelCol, int bins) {
        return of(Columns.doubles(table, scoreCol), Columns.labels(table, labelCol), bins);
    }

    /**
     * Bins a DataFrame inside Spark: one aggregation, {@code bins} rows back.
     *
     * @param df the rows
     * @param scoreCol probabilities in [0, 1]
     * @param labelCol 0/1 or boolean
     * @param bins the number of equal-width bins
     * @return the calibration
     */
    public static Calibration of(Dataset<?> df, String scoreCol, String labelCol, int bins) {
        return new Sums(equalWidth(bins)).add(Columns.scoresAndLabels(df, scoreCol, labelCol), equalWidthBin(bins))
                .calibration();
    }

    /** Bins per segment in {@link #bySegment}: segments are thinner than the whole. */
    public static final int SEGMENT_BINS = 10;

    /**
     * Calibration per segment (device, channel, region, any column) in {@value #SEGMENT_BINS}
     * equal-width bins, all segments in one aggregation inside Spark. A null segment is the
     * segment {@code "null"}.
     *
     * <pre>{@code
     * Map<String, Calibration> byDevice = Calibration.bySegment(scored, "propensity", "purchased", "device");
     * }</pre>
     *
     * @param df the rows
     * @param scoreCol probabilities in [0, 1]
     * @param labelCol 0/1 or boolean
     * @param segmentCol the column whose values make the segments
     * @return each segment's calibration, segments in ascending order of their text
     */
    public static Map<String, Calibration> bySegment(Dataset<?> df, String scoreCol, String labelCol,
            String segmentCol) {
        return bySegment(df, scoreCol, labelCol, segmentCol, SEGMENT_BINS);
    }

    /**
     * Calibration per segment in {@code bins} equal-width bins.
     *
     * <pre>{@code
     * Map<String, Calibration> byDevice = Calibration.bySegment(scored, "propensity", "purchased", "device");
     * }</pre>
     *
     * @param df the rows
     * @param scoreCol probabilities in [0, 1]
     * @param labelCol 0/1 or boolean
     * @param segmentCol the column whose values make the segments
     * @param bins the number of equal-width bins
     * @return each segment's calibration, segments in ascending order of their text
     */
    static Map<String, Calibration> bySegment(Dataset<?> df, String scoreCol, String labelCol,
            String segmentCol, int bins) {
        Dataset<Row> syg = Columns.scoresAndLabels(df, scoreCol, labelCol,
                functions.coalesce(functions.col(segmentCol).cast("string"), functions.lit("null")).as("g"));
        Map<String, Sums> sums = new TreeMap<>();
        for (Row r : syg.withColumn("b", equalWidthBin(bins)).groupBy("g", "b")
                .agg(functions.count(functions.lit(1)), functions.sum("s"), functions.sum("y")).collectAsList()) {
            sums.computeIfAbsent(r.getString(0), g -> new Sums(equalWidth(bins))).set(r.getInt(1), r.getLong(2),
                    r.getDouble(3), r.getDouble(4));
        }
        Map<String, Calibration> out = new LinkedHashMap<>();
        sums.forEach((g, s) -> out.put(g, s.calibration()));
        return out;
    }

    /** The equal-width bin of the score column {@code s}, the top edge in the last bin. */
    private static Column equalWidthBin(int bins) {
        return functions.least(functions.floor(functions.col("s").multiply(bins)), functions.lit(bins - 1))
                .cast("int");
    }

    /**
     * Bins arrays into quantile bins, with {@link QuantileEdges}' rule.
     *
     * @param scores probabilities in [0, 1]
     * @param labels one label per score
     * @param bins the number of bins
     * @return the calibration; a bin's lower and upper are its edges
     */
    public static Calibration quantile(double[] scores, boolean[] labels, int bins) {
        double[] edges = QuantileEdges.of(scores, bins);
        return new Sums(edges).add(scores, labels, s -> QuantileEdges.group(s, edges)).calibration();
    }

    /**
     * Bins a DataFrame into quantile bins inside Spark, with the same edges as {@link #quantile(double[], boolean[], int)}.
     *
     * @param df the rows
     * @param scoreCol probabilities in [0, 1]
     * @param labelCol 0/1 or boolean
     * @param bins the number of bins
     * @return the calibration
     */
    public static Calibration quantile(Dataset<?> df, String scoreCol, String labelCol, int bins) {
        Dataset<Row> sy = Columns.scoresAndLabels(df, scoreCol, labelCol);
        double[] edges = QuantileEdges.of(sy, "s", bins);
        return new Sums(edges).add(sy, QuantileEdges.group(functions.col("s"), edges)).calibration();
    }

    private static double[] equalWidth(int bins) {
        QuantileEdges.requireGroups(bins);
        double[] edges = new double[bins - 1];
        for (int k = 1; k < bins; k++) {
            edges[k - 1] = (double) k / bins;
        }
        return edges;
    }

    private static int equalWidthBin(double score, int bins) {
        return Math.min((int) Math.floor(score * bins), bins - 1);
    }

    /** Rows, score sums and positives per bin: what both paths fill, from arrays or from Spark's groups. */
    private static final class Sums {
        private final double[] edges;
        private final long[] n;
        private final double[] sumScore;
        private final long[] positives;

        Sums(double[] edges) {
            this.edges = edges;
            this.n = new long[edges.length + 1];
            this.sumScore = new double[edges.length + 1];
            this.positives = new long[edges.length + 1];
        }

        Sums add(double[] scores, boolean[] labels, DoubleToIntFunction bin) {
            Columns.requireSameLength(scores, labels);
            for (int i = 0; i < scores.length; i++) {
                int b = bin.applyAsInt(Columns.probability(scores[i], "scores"));
                n[b]++;
                sumScore[b] += scores[i];
                positives[b] += labels[i] ? 1 : 0;
            }
            return this;
        }

        Sums add(Dataset<Row> sy, Column bin) {
            for (Row r : sy.withColumn("b", bin).groupBy("b")
                    .agg(functions.count(functions.lit(1)), functions.sum("s"), functions.sum("y")).collectAsList()) {
                set(r.getInt(0), r.getLong(1), r.getDouble(2), r.getDouble(3));
            }
            return this;
        }

        /** One bin's totals, as Spark's groups give them. */
        void set(int b, long rows, double scores, double labels) {
            n[b] = rows;
            sumScore[b] = scores;
            positives[b] = Math.round(labels);
        }

        Calibration calibration() {
            long total = Arrays.stream(n).sum();
            List<Bin> out = new ArrayList<>();
            double ece = 0;
            double mce = 0;
            for (int b = 0; b < n.length; b++) {
                if (n[b] == 0) {
                    continue;
                }
                double meanScore = sumScore[b] / n[b];
                double rate = (double) positives[b] / n[b];
                double gap = Math.abs(rate - meanScore);
                ece += (double) n[b] / total * gap;
                mce = Math.max(mce, gap);
                out.add(new Bin(b, b == 0 ? 0 : edges[b - 1], b == edges.length ? 1 : edges[b], n[b], meanScore, rate));
            }
            return new Calibration(List.copyOf(out), ece, mce);
        }
    }
}
