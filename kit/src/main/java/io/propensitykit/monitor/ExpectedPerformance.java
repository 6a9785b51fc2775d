package io.propensitykit.monitor;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;
import io.propensitykit.metrics.Calibration;
import io.propensitykit.metrics.Calibrator;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How good the scores are before the outcomes arrive: the positive rate, the ROC AUC and the decile
 * response and lift a calibrated model should expect, from the scores alone (confidence-based
 * performance estimation, as NannyML's CBPE). Each score is taken as its own probability: a pair of
 * customers (i, j) with {@code s_i > s_j} is ordered correctly with probability {@code p_i (1 - p_j)},
 * so the expected AUC is the labelled AUC's sweep with each row counting {@code p} as a positive and
 * {@code 1 - p} as a negative. One Spark aggregation over score bins gives every figure.
 *
 * <pre>{@code
 * Calibrator map = Calibrator.isotonic(lastWeek, "propensity", "purchased");   // a labelled reference
 * Expected now = ExpectedPerformance.on(thisWeek).setScore("propensity").optCalibrator(map).compute();
 * now.table();            // expected rate, AUC (with its bin error) and top-decile lift
 * }</pre>
 *
 * <p>It holds only while the model stays calibrated: under covariate shift (other customers, the same
 * link from features to outcome) it does; under concept shift (the same customers, another link) it
 * cannot see the change. With labels ({@link #optLabel}) the realized figures stand beside the
 * expected ones, from the same bins.
 */
public final class ExpectedPerformance {

    /** Score bins by default: the AUC's bin error is then at most a few 1e-5 on real scores. */
    public static final int DEFAULT_BINS = 10_000;

    /** A reference whose calibration error (ECE) exceeds this makes the estimate untrustworthy. */
    public static final double DEFAULT_ECE_WARNING = 0.02;

    private final Dataset<?> df;
    private String scoreCol;
    private String labelCol;
    private Calibrator calibrator;
    private int bins = DEFAULT_BINS;
    private Double referenceEce;

    private ExpectedPerformance(Dataset<?> df) {
        this.df = Objects.requireNonNull(df, "df");
    }

    /**
     * Starts the estimate over scored rows: name the score, then {@link #compute()}.
     *
     * @param df the scored rows
     * @return the estimate to configure
     */
    public static ExpectedPerformance on(Dataset<?> df) {
        return new ExpectedPerformance(df);
    }

    /**
     * @param column the model's score, a probability in [0, 1] that ranks the rows (required)
     * @return this
     */
    public ExpectedPerformance setScore(String column) {
        this.scoreCol = column;
        return this;
    }

    /**
     * The outcome, where it has arrived: the realized figures are then reported beside the expected ones.
     *
     * @param column a 0/1 or boolean column
     * @return this
     */
    public ExpectedPerformance optLabel(String column) {
        this.labelCol = column;
        return this;
    }

    /**
     * A calibration map fitted on a labelled reference: the probabilities it gives replace the raw
     * scores in the estimate (the ranking stays the score's).
     *
     * @param map Platt or isotonic, from {@link Calibrator}
     * @return this
     */
    public ExpectedPerformance optCalibrator(Calibrator map) {
        this.calibrator = map;
        return this;
    }

    /**
     * Checks the calibration the estimate relies on: the expected calibration error (ten equal-width
     * bins) of the probabilities (the map's, when there is one) on a labelled reference, reported
     * with the estimate and warned about above {@link #DEFAULT_ECE_WARNING}.
     *
     * @param reference labelled rows, such as the week the map was fitted on (its own held-out part, ideally)
     * @param labelColumn the reference's 0/1 outcome
     * @return this
     */
    public ExpectedPerformance optReference(Dataset<?> reference, String labelColumn) {
        requireScore();
        Dataset<Row> probabilities = reference.toDF().withColumn("_kit_p", probability(reference));
        this.referenceEce = Calibration.of(probabilities, "_kit_p", labelColumn, 10).ece();
        return this;
    }

    /**
     * @param count score bins, 100 to 1,000,000 (default {@value #DEFAULT_BINS}); more bins, a smaller bin error
     * @return this
     */
    public ExpectedPerformance optBins(int count) {
        if (count < 100 || count > 1_000_000) {
            throw new IllegalArgumentException("optBins takes 100 to 1,000,000 bins; got " + count);
        }
        this.bins = count;
        return this;
    }

    /**
     * One aggregation over the rows: per score bin, the rows, the expected positives and, with a
     * label, the realized ones; then the sweep and the deciles on the driver.
     *
     * @return the estimate
     */
    public Expected compute() {
        requireScore();
        Column p = probability(df).as("_kit_p");
        Columns.Deferred checked = labelCol == null ? Columns.probabilitiesDeferred(df, scoreCol, p)
                : Columns.scoresAndLabelsDeferred(df, scoreCol, labelCol, p);
        // A score outside [0, 1] lands in no bin of its own: the checks, read before any number, refuse it.
        Column bin = functions.least(functions.greatest(functions.floor(functions.col("s").multiply(bins)),
                functions.lit(0)), functions.lit(bins - 1)).cast("int");
        List<Column> aggregates = new ArrayList<>(List.of(functions.sum("_kit_p"), functions.sum("y")));
        aggregates.addAll(List.of(checked.checks()));
        List<Row> rows = checked.rows().groupBy(bin.as("b")).agg(functions.count(functions.lit(1)),
                aggregates.toArray(new Column[0])).collectAsList();
        checked.verify(rows, 4);
        long[] n = new long[bins];
        double[] expected = new double[bins];
        double[] realized = labelCol == null ? null : new double[bins];
        for (Row r : rows) {
            int b = r.getInt(0);
            n[b] = r.getLong(1);
            expected[b] = r.isNullAt(2) ? 0 : r.getDouble(2);
            if (realized != null) {
                realized[b] = r.isNullAt(3) ? 0 : r.getDouble(3);
            }
            if (!(expected[b] >= 0 && expected[b] <= n[b])) {
                throw new IllegalArgumentException("The probabilities of scores near " + (b + 0.5) / bins + " sum to "
                        + expected[b] + " over " + n[b] + " rows: the calibration map gives values outside [0, 1].");
            }
        }
        return Expected.fromBins(n, expected, realized, referenceEce);
    }

    private void requireScore() {
        if (scoreCol == null) {
            throw new IllegalStateException("Name the score first, for example setScore(\"propensity\").");
        }
    }

    /** The probability each row stands for: the map's, or the score itself. */
    private Column probability(Dataset<?> rows) {
        if (!java.util.Arrays.asList(rows.columns()).contains(scoreCol)) {
            throw new IllegalArgumentException("No score column '" + scoreCol + "'; the rows have "
                    + java.util.Arrays.toString(rows.columns()) + ".");
        }
        Column s = functions.col(scoreCol).cast("double");
        return calibrator == null ? s : calibrator.apply(s);
    }

    /**
     * The estimate, and the realized figures when labels were given.
     *
     * @param n rows
     * @param rate the expected positive rate: the mean probability
     * @param auc the expected ROC AUC
     * @param aucBinError the most the binning can move the expected AUC: pairs within a bin count half
     * @param deciles the expected (and realized) response per decile, decile 1 the highest scores
     * @param realizedRate the realized positive rate, NaN without labels
     * @param realizedAuc the realized ROC AUC from the same bins, NaN without labels
     * @param referenceEce the reference's calibration error, NaN when none was checked
     */
    public record Expected(long n, double rate, double auc, double aucBinError, List<Decile> deciles,
            double realizedRate, double realizedAuc, double referenceEce) implements Tabular {

        /**
         * One decile of rows by score (whole bins, so its size is within one bin of a tenth).
         *
         * @param decile 1 (highest scores) to 10
         * @param n rows
         * @param expectedRate the mean probability
         * @param expectedLift the expected rate over the overall expected rate
         * @param realizedRate the rate of positives, NaN without labels
         * @param realizedLift the realized rate over the overall realized rate, NaN without labels
         */
        public record Decile(int decile, long n, double expectedRate, double expectedLift, double realizedRate,
                double realizedLift) {

            /** @return the decile, its rows, and its expected (and realized) rate, rounded */
            @Override
            public String toString() {
                return String.format(Locale.ROOT, "Decile[%d: %,d rows, expected rate %.4f, lift %.2f%s]", decile, n,
                        expectedRate, expectedLift, Double.isNaN(realizedRate) ? ""
                                : String.format(Locale.ROOT, "; realized %.4f", realizedRate));
            }
        }

        /** @return the first decile's expected lift */
        public double lift() {
            return deciles.isEmpty() ? Double.NaN : deciles.get(0).expectedLift();
        }

        /** @return the first decile's realized lift, NaN without labels */
        public double realizedLift() {
            return deciles.isEmpty() ? Double.NaN : deciles.get(0).realizedLift();
        }

        /**
         * @param threshold the largest reference ECE to trust, such as {@link #DEFAULT_ECE_WARNING}
         * @return a sentence when the reference's calibration is too poor to trust the estimate, else null
         */
        public String calibrationWarning(double threshold) {
            return referenceEce > threshold ? String.format(Locale.ROOT, "The probabilities are off by %.3f on"
                    + " average on the labelled reference (ECE above %.3f): the estimate assumes calibrated scores, so"
                    + " recalibrate (optCalibrator) before trusting it.", referenceEce, threshold) : null;
        }

        @Override
        public Table table() {
            record Line(String metric, double expected, double realized) {}
            List<Line> lines = List.of(new Line("positive rate", rate, realizedRate),
                    new Line("ROC AUC", auc, realizedAuc), new Line("top-decile lift", lift(), realizedLift()));
            return Rows.of("Performance expected from the scores", lines).text("metric", Line::metric)
                    .number("expected", Line::expected, 4).number("realized", Line::realized, 4).table();
        }

        /** @return the deciles as a table: rows, expected and (with labels) realized rate and lift */
        public Table decileTable() {
            return Rows.of("Expected response by decile", deciles).count("decile", Decile::decile)
                    .count("n", Decile::n).number("expected rate", Decile::expectedRate, 4)
                    .number("expected lift", Decile::expectedLift, 2).number("realized rate", Decile::realizedRate, 4)
                    .number("realized lift", Decile::realizedLift, 2).table();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Expected[%,d rows, rate %.4f, AUC %.4f ± %.1g, lift %.2f%s]", n, rate,
                    auc, aucBinError, lift(), Double.isNaN(realizedAuc) ? "" : String.format(Locale.ROOT,
                            "; realized rate %.4f, AUC %.4f", realizedRate, realizedAuc));
        }

        /**
         * The figures from per-bin sums, bins in ascending score order. Public for the tests' and
         * the reference's sake: the same sweep on arrays.
         *
         * @param n rows per bin
         * @param expected the sum of probabilities per bin
         * @param realized the positives per bin, or null without labels
         * @param referenceEce the reference's ECE, or null
         * @return the estimate
         */
        public static Expected fromBins(long[] n, double[] expected, double[] realized, Double referenceEce) {
            long rows = 0;
            double positives = 0;
            for (int b = 0; b < n.length; b++) {
                rows += n[b];
                positives += expected[b];
            }
            if (rows == 0) {
                throw new IllegalArgumentException("No rows to estimate from.");
            }
            double[] negatives = new double[n.length];
            for (int b = 0; b < n.length; b++) {
                negatives[b] = n[b] - expected[b];
            }
            double[] sweep = sweep(expected, negatives);
            double rate = positives / rows;
            double realizedRate = Double.NaN;
            double realizedAuc = Double.NaN;
            if (realized != null) {
                double[] realizedNegatives = new double[n.length];
                double y = 0;
                for (int b = 0; b < n.length; b++) {
                    realizedNegatives[b] = n[b] - realized[b];
                    y += realized[b];
                }
                realizedRate = y / rows;
                realizedAuc = sweep(realized, realizedNegatives)[0];
            }
            List<Decile> deciles = deciles(n, expected, realized, rows, rate, realizedRate);
            return new Expected(rows, rate, sweep[0], sweep[1], deciles, realizedRate, realizedAuc,
                    referenceEce == null ? Double.NaN : referenceEce);
        }

        /**
         * The AUC sweep from the highest bin down, pairs within a bin counted half, and the most
         * those half-counted pairs can move it: {@code sum P_b N_b / (2 P N)}.
         */
        private static double[] sweep(double[] pos, double[] neg) {
            double p = 0;
            double q = 0;
            for (int b = 0; b < pos.length; b++) {
                p += pos[b];
                q += neg[b];
            }
            double above = 0;
            double area = 0;
            double within = 0;
            for (int b = pos.length - 1; b >= 0; b--) {
                area += neg[b] * (above + pos[b] / 2);
                within += pos[b] * neg[b];
                above += pos[b];
            }
            if (p <= 0 || q <= 0) {
                return new double[] {Double.NaN, Double.NaN};
            }
            return new double[] {area / (p * q), within / (2 * p * q)};
        }

        /**
         * Whole bins into ten deciles from the highest score down: a bin goes to the decile in which
         * the middle of its rows falls, counted from the top.
         */
        private static List<Decile> deciles(long[] n, double[] expected, double[] realized, long rows, double rate,
                double realizedRate) {
            long[] count = new long[10];
            double[] e = new double[10];
            double[] r = new double[10];
            long before = 0;
            for (int b = n.length - 1; b >= 0; b--) {
                if (n[b] == 0) {
                    continue;
                }
                int d = (int) Math.min(9, Math.floor((before + n[b] / 2.0) * 10 / rows));
                count[d] += n[b];
                e[d] += expected[b];
                r[d] += realized == null ? 0 : realized[b];
                before += n[b];
            }
            List<Decile> out = new ArrayList<>(10);
            for (int d = 0; d < 10; d++) {
                double er = count[d] == 0 ? Double.NaN : e[d] / count[d];
                double rr = realized == null || count[d] == 0 ? Double.NaN : r[d] / count[d];
                out.add(new Decile(d + 1, count[d], er, er / rate, rr, rr / realizedRate));
            }
            return out;
        }
    }
}
