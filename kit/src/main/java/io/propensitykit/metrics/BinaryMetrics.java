package io.propensitykit.metrics;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ranking and probability metrics of a score against a 0/1 label: ROC AUC and the ROC curve, PR
 * AUC (average precision, as scikit-learn defines it), log loss, Brier score and the KS statistic.
 *
 * <pre>{@code
 * BinaryMetrics m = BinaryMetrics.of(scored, "propensity", "purchased");   // Spark, any size
 * BinaryMetrics e = BinaryMetrics.of(scores, labels);                      // arrays, exactly
 * ScorePlots.roc(m).show();
 * }</pre>
 *
 * <p>Both paths feed the same sweep over distinct scores: the Spark path counts positives and
 * negatives per distinct score inside Spark and streams the sorted counts to the driver one
 * partition at a time, so no raw score is collected and both paths give the same numbers.
 *
 * @param n the number of rows
 * @param positives rows with label 1
 * @param rocAuc area under the ROC curve, ties counted half
 * @param prAuc average precision: the sum over thresholds of precision times the recall gained
 * @param logLoss mean negative log-likelihood, scores clipped to [eps, 1 - eps] as scikit-learn does
 * @param brier mean squared difference between score and label
 * @param ks the largest gap between the score distributions of positives and negatives
 * @param roc the ROC curve's vertices, thinned for drawing
 */
public record BinaryMetrics(long n, long positives, double rocAuc, double prAuc, double logLoss, double brier,
        double ks, Roc roc) implements Tabular {

    /** @return one row: rows, positives and every metric */
    @Override
    public Table table() {
        return Rows.of("metrics", List.of(this)).count("n", BinaryMetrics::n)
                .count("positives", BinaryMetrics::positives)
                .number("ROC AUC", BinaryMetrics::rocAuc, 4).number("PR AUC", BinaryMetrics::prAuc, 4)
                .number("log loss", BinaryMetrics::logLoss, 4).number("Brier", BinaryMetrics::brier, 4)
                .number("KS", BinaryMetrics::ks, 4).table();
    }

    /** @return the rows and the main metrics, rounded */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "BinaryMetrics[%,d rows, %,d positive, ROC AUC %.4f, log loss %.4f, Brier"
                + " %.4f]", n, positives, rocAuc, logLoss, brier);
    }

    /** scikit-learn's log-loss clipping for float64 scores. */
    static final double EPS = Math.ulp(1.0);

    /**
     * The ROC curve from (0, 0) to (1, 1): vertices of the exact curve (one per distinct score), a
     * vertex kept when either rate has moved by {@link #RESOLUTION} since the last one kept, so a
     * curve has at most about 2,000 points however many rows it sums. Each skipped vertex lies
     * within that distance of the line drawn.
     *
     * @param fpr false positive rates, ascending
     * @param tpr true positive rates, one per false positive rate
     */
    public record Roc(double[] fpr, double[] tpr) {

        /** @return the number of vertices */
        @Override
        public String toString() {
            return "Roc[" + fpr.length + " points]";
        }

        /** The smallest move in either rate that keeps a vertex. */
        public static final double RESOLUTION = 1e-3;
    }

    /**
     * Computes the metrics exactly on arrays.
     *
     * @param scores one score in [0, 1] per row
     * @param labels one label per row
     * @return the metrics
     */
    public static BinaryMetrics of(double[] scores, boolean[] labels) {
        return sweep(scores, labels, true);
    }

    /**
     * The area under the ROC curve of any ranking score (a logit, a margin), exactly: the same
     * sweep as {@link #of(double[], boolean[])}, without the probability metrics and their check.
     *
     * @param scores one score per row, higher meaning more likely positive; none NaN
     * @param labels one label per row
     * @return the ROC AUC, ties counted half
     */
    public static double rocAuc(double[] scores, boolean[] labels) {
        return sweep(scores, labels, false).rocAuc();
    }

    private static BinaryMetrics sweep(double[] scores, boolean[] labels, boolean probabilities) {
        Columns.requireSameLength(scores, labels);
        int n = scores.length;
        long positives = 0;
        for (boolean y : labels) {
            positives += y ? 1 : 0;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        Sweep sweep = new Sweep(positives, n - positives);
        double logLoss = 0;
        double brier = 0;
        for (int i = 0; i < n; ) {
            double s = scores[order[i]];
            if (probabilities) {
                Columns.probability(s, "scores");
            } else if (Double.isNaN(s)) {
                throw new IllegalArgumentException("A score is NaN; the ROC curve needs every row ranked.");
            }
            long pos = 0;
            long neg = 0;
            while (i < n && scores[order[i]] == s) {
                if (probabilities) {
                    double y = labels[order[i]] ? 1 : 0;
                    logLoss += logLoss(s, y);
                    brier += (s - y) * (s - y);
                }
                if (labels[order[i]]) {
                    pos++;
                } else {
                    neg++;
                }
                i++;
            }
            sweep.add(pos, neg);
        }
        return sweep.result(n, logLoss, brier);
    }

    /**
     * Computes the metrics of a Tablesaw table's columns exactly.
     *
     * @param table the rows
     * @param scoreCol a numeric score column
     * @param labelCol a 0/1 or boolean label column
     * @return the metrics
     */
    public static BinaryMetrics of(Table table, String scoreCol, String labelCol) {
        return of(Columns.doubles(table, scoreCol), Columns.labels(table, labelCol));
    }

    /** Up to this many rows, the distinct scores are collected at once rather than streamed. */
    private static final long COLLECT_ROWS = 200_000;

    /**
     * Computes the metrics of a DataFrame inside Spark; rows with a null score or label are not allowed.
     *
     * @param df the rows
     * @param scoreCol a numeric score column in [0, 1]
     * @param labelCol a 0/1 or boolean label column
     * @return the metrics
     */
    public static BinaryMetrics of(Dataset<?> df, String scoreCol, String labelCol) {
        return grouped(Columns.scoresAndLabelsDeferred(df, scoreCol, labelCol, functions.lit("").as("g"))).get("");
    }

    /**
     * The metrics per segment (device, channel, any column), every segment in the same passes
     * inside Spark: one for the totals, one over the distinct scores of all segments. A null
     * segment is the segment {@code "null"}.
     *
     * <pre>{@code
     * Map<String, BinaryMetrics> byDevice = BinaryMetrics.bySegment(scored, "propensity", "purchased", "device");
     * }</pre>
     *
     * @param df the rows
     * @param scoreCol a numeric score column in [0, 1]
     * @param labelCol a 0/1 or boolean label column
     * @param segmentCol the column whose values make the segments; each needs both labels
     * @return each segment's metrics, segments in ascending order of their text
     */
    public static Map<String, BinaryMetrics> bySegment(Dataset<?> df, String scoreCol, String labelCol,
            String segmentCol) {
        return grouped(Columns.scoresAndLabelsDeferred(df, scoreCol, labelCol,
                functions.coalesce(Columns.named(segmentCol).cast("string"), functions.lit("null")).as("g")));
    }

    /**
     * The sweep of each segment {@code g} of scores {@code s} and labels {@code y}, checked in the
     * same aggregation that counts them.
     */
    private static Map<String, BinaryMetrics> grouped(Columns.Deferred checked) {
        Dataset<Row> syg = checked.rows();
        List<Column> sums = new ArrayList<>(List.of(functions.sum("y"),
                functions.sum(functions.expr("-(y * ln(least(greatest(s, " + EPS + "), 1 - " + EPS + "))"
                        + " + (1 - y) * ln(1 - least(greatest(s, " + EPS + "), 1 - " + EPS + ")))")),
                functions.sum(functions.expr("(s - y) * (s - y)"))));
        sums.addAll(List.of(checked.checks()));
        List<Row> grouped = syg.groupBy("g").agg(functions.count(functions.lit(1)), sums.toArray(new Column[0]))
                .collectAsList();
        checked.verify(grouped, 5);
        Map<String, Row> totals = new TreeMap<>();
        long n = 0;
        for (Row t : grouped) {
            totals.put(t.getString(0), t);
            n += t.getLong(1);
        }
        if (totals.isEmpty()) {
            throw new IllegalArgumentException("Metrics need both labels: 0 positives, 0 negatives");
        }
        Dataset<Row> distinct = syg.groupBy("g", "s").agg(functions.sum("y"), functions.count(functions.lit(1)));
        // At most n distinct scores: a small input's come back at once and are ordered here, without
        // the sampling job of a distributed sort; a large input's are sorted in Spark and read a
        // partition at a time, so that the driver never holds them all.
        Iterator<Row> groups;
        if (n <= COLLECT_ROWS) {
            List<Row> rows = new ArrayList<>(distinct.collectAsList());
            rows.sort(Comparator.comparing((Row r) -> r.getString(0))
                    .thenComparing(Comparator.comparingDouble((Row r) -> r.getDouble(1)).reversed()));
            groups = rows.iterator();
        } else {
            groups = distinct.orderBy(functions.col("g"), functions.col("s").desc()).toLocalIterator();
        }
        Map<String, BinaryMetrics> out = new LinkedHashMap<>();
        String segment = null;
        Sweep sweep = null;
        while (groups.hasNext()) {
            Row g = groups.next();
            if (!g.getString(0).equals(segment)) {
                finish(out, segment, sweep, totals);
                segment = g.getString(0);
                Row t = totals.get(segment);
                long positives = t.isNullAt(2) ? 0 : Math.round(t.getDouble(2));
                sweep = new Sweep(positives, t.getLong(1) - positives, segment);
            }
            long pos = Math.round(g.getDouble(2));
            sweep.add(pos, g.getLong(3) - pos);
        }
        finish(out, segment, sweep, totals);
        return out;
    }

    private static void finish(Map<String, BinaryMetrics> out, String segment, Sweep sweep, Map<String, Row> totals) {
        if (sweep != null) {
            Row t = totals.get(segment);
            out.put(segment, sweep.result(t.getLong(1), t.getDouble(3), t.getDouble(4)));
        }
    }

    private static double logLoss(double s, double y) {
        double p = Math.min(Math.max(s, EPS), 1 - EPS);
        return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
    }

    /**
     * One pass over distinct scores from the highest down, knowing the label totals: ROC AUC,
     * average precision, KS and the thinned curve, in memory independent of the rows.
     */
    private static final class Sweep {
        private final long p;
        private final long q;
        private long tp;
        private long fp;
        private double aucArea;
        private double apSum;
        private double ks;
        private final double[] fpr = new double[(int) (2 / Roc.RESOLUTION) + 3];
        private final double[] tpr = new double[fpr.length];
        private int points = 1;

        Sweep(long p, long q) {
            this(p, q, "");
        }

        Sweep(long p, long q, String segment) {
            if (p == 0 || q == 0) {
                throw new IllegalArgumentException("Metrics need both labels: " + p + " positives, " + q + " negatives"
                        + (segment.isEmpty() ? "" : " in segment '" + segment + "'"));
            }
            this.p = p;
            this.q = q;
        }

        void add(long pos, long neg) {
            // ROC: trapezoid between (fp, tp) and (fp + neg, tp + pos), in counts.
            aucArea += neg * (tp + pos / 2.0);
            tp += pos;
            fp += neg;
            apSum += pos == 0 ? 0 : (double) pos / p * ((double) tp / (tp + fp));
            double x = (double) fp / q;
            double y = (double) tp / p;
            ks = Math.max(ks, Math.abs(y - x));
            if (x - fpr[points - 1] >= Roc.RESOLUTION || y - tpr[points - 1] >= Roc.RESOLUTION) {
                fpr[points] = x;
                tpr[points] = y;
                points++;
            }
        }

        BinaryMetrics result(long n, double logLossSum, double brierSum) {
            if (fpr[points - 1] < 1 || tpr[points - 1] < 1) {
                fpr[points] = 1;
                tpr[points] = 1;
                points++;
            }
            return new BinaryMetrics(n, p, aucArea / ((double) p * q), apSum, logLossSum / n, brierSum / n, ks,
                    new Roc(Arrays.copyOf(fpr, points), Arrays.copyOf(tpr, points)));
        }
    }
}
