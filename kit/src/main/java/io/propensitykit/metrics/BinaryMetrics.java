package io.propensitykit.metrics;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.Arrays;
import java.util.Iterator;

/**
 * Ranking and probability metrics of a score against a 0/1 label: ROC AUC, PR AUC (average
 * precision, as scikit-learn defines it), log loss, Brier score and the KS statistic.
 *
 * <pre>{@code
 * BinaryMetrics m = BinaryMetrics.of(scored, "propensity", "purchased");   // Spark, any size
 * BinaryMetrics e = BinaryMetrics.of(scores, labels);                      // arrays, exactly
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
 */
public record BinaryMetrics(long n, long positives, double rocAuc, double prAuc, double logLoss, double brier,
        double ks) {

    /** scikit-learn's log-loss clipping for float64 scores. */
    static final double EPS = Math.ulp(1.0);

    /**
     * Computes the metrics exactly on arrays.
     *
     * @param scores one score in [0, 1] per row
     * @param labels one label per row
     * @return the metrics
     */
    public static BinaryMetrics of(double[] scores, boolean[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + labels.length + " labels");
        }
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        Sweep sweep = new Sweep();
        double logLoss = 0;
        double brier = 0;
        for (int i = 0; i < n; ) {
            double s = scores[order[i]];
            check(s);
            long pos = 0;
            long neg = 0;
            while (i < n && scores[order[i]] == s) {
                double y = labels[order[i]] ? 1 : 0;
                logLoss += logLoss(s, y);
                brier += (s - y) * (s - y);
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
        return of(ScoreLabels.scores(table, scoreCol), ScoreLabels.labels(table, labelCol));
    }

    /**
     * Computes the metrics of a DataFrame inside Spark; rows with a null score or label are not allowed.
     *
     * @param df the rows
     * @param scoreCol a numeric score column in [0, 1]
     * @param labelCol a 0/1 or boolean label column
     * @return the metrics
     */
    public static BinaryMetrics of(Dataset<?> df, String scoreCol, String labelCol) {
        Column s = functions.col(scoreCol).cast("double");
        Column y = ScoreLabels.label(df, labelCol);
        Dataset<Row> clean = df.select(s.as("s"), y.as("y"));
        Row totals = clean.agg(functions.count(functions.lit(1)), functions.count("s"), functions.count("y"),
                functions.min("s"), functions.max("s"),
                functions.sum(functions.expr("-(y * ln(least(greatest(s, " + EPS + "), 1 - " + EPS + "))"
                        + " + (1 - y) * ln(1 - least(greatest(s, " + EPS + "), 1 - " + EPS + ")))")),
                functions.sum(functions.expr("(s - y) * (s - y)"))).first();
        long n = totals.getLong(0);
        if (totals.getLong(1) != n || totals.getLong(2) != n) {
            throw new IllegalArgumentException((n - totals.getLong(1)) + " rows have a null " + scoreCol + " and "
                    + (n - totals.getLong(2)) + " a null " + labelCol + "; drop or fill them first.");
        }
        if (n > 0) {
            check(totals.getDouble(3));
            check(totals.getDouble(4));
        }
        Sweep sweep = new Sweep();
        Iterator<Row> groups = clean.groupBy("s").agg(functions.sum("y"), functions.count(functions.lit(1)))
                .orderBy(functions.col("s").desc()).toLocalIterator();
        while (groups.hasNext()) {
            Row g = groups.next();
            long pos = Math.round(g.getDouble(1));
            sweep.add(pos, g.getLong(2) - pos);
        }
        return sweep.result(n, totals.getDouble(5), totals.getDouble(6));
    }

    private static void check(double s) {
        if (!(s >= 0 && s <= 1)) {
            throw new IllegalArgumentException("Scores must be probabilities in [0, 1]; found " + s);
        }
    }

    private static double logLoss(double s, double y) {
        double p = Math.min(Math.max(s, EPS), 1 - EPS);
        return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
    }

    /** One pass over distinct scores from the highest down: ROC AUC, average precision and KS. */
    private static final class Sweep {
        private long tp;
        private long fp;
        private double aucArea;
        private double apSum;
        private final java.util.List<long[]> steps = new java.util.ArrayList<>();

        void add(long pos, long neg) {
            // ROC: trapezoid between (fp, tp) and (fp + neg, tp + pos), in counts.
            aucArea += neg * (tp + pos / 2.0);
            tp += pos;
            fp += neg;
            steps.add(new long[] {tp, fp, pos});
        }

        BinaryMetrics result(long n, double logLossSum, double brierSum) {
            long p = tp;
            long q = fp;
            if (p == 0 || q == 0) {
                throw new IllegalArgumentException("Metrics need both labels: " + p + " positives, " + q + " negatives");
            }
            double ks = 0;
            for (long[] step : steps) {
                apSum += step[2] == 0 ? 0 : (double) step[2] / p * ((double) step[0] / (step[0] + step[1]));
                ks = Math.max(ks, Math.abs((double) step[0] / p - (double) step[1] / q));
            }
            return new BinaryMetrics(n, p, aucArea / ((double) p * q), apSum, logLossSum / n, brierSum / n, ks);
        }
    }
}
