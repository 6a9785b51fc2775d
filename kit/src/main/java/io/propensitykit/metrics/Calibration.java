package io.propensitykit.metrics;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;

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
public record Calibration(List<Bin> bins, double ece, double mce) {

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
    public record Bin(int index, double lower, double upper, long n, double meanScore, double observedRate) {}

    /**
     * Bins arrays exactly.
     *
     * @param scores probabilities in [0, 1]
     * @param labels one label per score
     * @param bins the number of equal-width bins
     * @return the calibration
     */
    public static Calibration of(double[] scores, boolean[] labels, int bins) {
        long[] n = new long[bins];
        double[] sumScore = new double[bins];
        long[] positives = new long[bins];
        for (int i = 0; i < scores.length; i++) {
            int b = bin(scores[i], bins);
            n[b]++;
            sumScore[b] += scores[i];
            positives[b] += labels[i] ? 1 : 0;
        }
        return from(n, sumScore, positives, bins);
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
        return of(ScoreLabels.scores(table, scoreCol), ScoreLabels.labels(table, labelCol), bins);
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
        Column s = functions.col(scoreCol).cast("double");
        Column y = ScoreLabels.label(df, labelCol);
        Column bin = functions.least(functions.floor(s.multiply(bins)), functions.lit(bins - 1)).cast("int");
        long[] n = new long[bins];
        double[] sumScore = new double[bins];
        long[] positives = new long[bins];
        for (Row r : df.select(bin.as("b"), s.as("s"), y.as("y")).groupBy("b")
                .agg(functions.count(functions.lit(1)), functions.sum("s"), functions.sum("y")).collectAsList()) {
            int b = r.getInt(0);
            n[b] = r.getLong(1);
            sumScore[b] = r.getDouble(2);
            positives[b] = Math.round(r.getDouble(3));
        }
        return from(n, sumScore, positives, bins);
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
        long[] n = new long[bins];
        double[] sumScore = new double[bins];
        long[] positives = new long[bins];
        for (int i = 0; i < scores.length; i++) {
            int b = QuantileEdges.group(scores[i], edges);
            n[b]++;
            sumScore[b] += scores[i];
            positives[b] += labels[i] ? 1 : 0;
        }
        return withEdges(from(n, sumScore, positives, bins), edges);
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
        Column y = ScoreLabels.label(df, labelCol);
        Dataset<Row> sy = df.select(functions.col(scoreCol).cast("double").as("s"), y.as("y"));
        double[] edges = QuantileEdges.of(sy, "s", bins);
        Column bin = QuantileEdges.group(functions.col("s"), edges);
        long[] n = new long[bins];
        double[] sumScore = new double[bins];
        long[] positives = new long[bins];
        for (Row r : sy.withColumn("b", bin).groupBy("b")
                .agg(functions.count(functions.lit(1)), functions.sum("s"), functions.sum("y")).collectAsList()) {
            int b = r.getInt(0);
            n[b] = r.getLong(1);
            sumScore[b] = r.getDouble(2);
            positives[b] = Math.round(r.getDouble(3));
        }
        return withEdges(from(n, sumScore, positives, bins), edges);
    }

    private static Calibration withEdges(Calibration c, double[] edges) {
        List<Bin> bins = new ArrayList<>();
        for (Bin b : c.bins()) {
            double lower = b.index() == 0 ? 0 : edges[b.index() - 1];
            double upper = b.index() == edges.length ? 1 : edges[b.index()];
            bins.add(new Bin(b.index(), lower, upper, b.n(), b.meanScore(), b.observedRate()));
        }
        return new Calibration(List.copyOf(bins), c.ece(), c.mce());
    }

    static int bin(double score, int bins) {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("Scores must be probabilities in [0, 1]; found " + score);
        }
        return Math.min((int) Math.floor(score * bins), bins - 1);
    }

    private static Calibration from(long[] n, double[] sumScore, long[] positives, int bins) {
        long total = 0;
        for (long c : n) {
            total += c;
        }
        List<Bin> out = new ArrayList<>();
        double ece = 0;
        double mce = 0;
        for (int b = 0; b < bins; b++) {
            if (n[b] == 0) {
                continue;
            }
            double meanScore = sumScore[b] / n[b];
            double rate = (double) positives[b] / n[b];
            double gap = Math.abs(rate - meanScore);
            ece += (double) n[b] / total * gap;
            mce = Math.max(mce, gap);
            out.add(new Bin(b, (double) b / bins, (double) (b + 1) / bins, n[b], meanScore, rate));
        }
        return new Calibration(List.copyOf(out), ece, mce);
    }
}
