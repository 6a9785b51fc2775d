package io.propensitykit.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.plot.Plot;
import io.propensitykit.plot.ScorePlots;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The metrics on {@code fixtures/metrics/scores.csv} (400 rows with ties), against references
 * printed by {@code make_metrics_fixture.py}: scikit-learn 1.2 (roc_auc_score,
 * average_precision_score, log_loss, brier_score_loss), SciPy (ks_2samp) and NumPy (ECE, MCE over
 * 10 uniform and 5 quantile bins; deciles). The array, Tablesaw and Spark paths must all give them.
 */
class MetricsTest extends SharedSpark {

    private static final double ROC_AUC = 0.73600012683916793;
    private static final double PR_AUC = 0.53062916977411245;
    private static final double LOG_LOSS = 0.51119989182666814;
    private static final double BRIER = 0.16808599999999999;
    private static final double KS = 0.35667174023338405;
    private static final double ECE10 = 0.022149999999999989;
    private static final double MCE10 = 0.25250000000000006;
    private static final double ECE_Q5 = 0.031650000000000005;
    private static final double MCE_Q5 = 0.074155844155844197;
    private static final double TOL = 1e-9;

    private static final ScoresFixture FIXTURE = ScoresFixture.load();
    private static final double[] scores = FIXTURE.scores;
    private static final boolean[] labels = FIXTURE.labels;
    private static final Path csv = FIXTURE.csv;

    private static Dataset<Row> frame() {
        return FIXTURE.frame(spark);
    }

    private static void assertReference(BinaryMetrics m) {
        assertEquals(400, m.n());
        assertEquals(ROC_AUC, m.rocAuc(), TOL);
        assertEquals(PR_AUC, m.prAuc(), TOL);
        assertEquals(LOG_LOSS, m.logLoss(), TOL);
        assertEquals(BRIER, m.brier(), TOL);
        assertEquals(KS, m.ks(), TOL);
    }

    @Test
    void binaryMetricsMatchScikitLearnOnEveryPath() throws Exception {
        BinaryMetrics exact = BinaryMetrics.of(scores, labels);
        assertReference(exact);
        assertReference(BinaryMetrics.of(Table.read().csv(CsvReadOptions.builder(csv.toFile())), "score", "label"));
        BinaryMetrics sparkNative = BinaryMetrics.of(frame(), "score", "label");
        assertReference(sparkNative);
        assertEquals(exact.positives(), sparkNative.positives());
        // The two paths share one sweep; they agree to the last bit on counts and to 1e-12 on sums.
        assertEquals(exact.rocAuc(), sparkNative.rocAuc(), 1e-12);
        assertEquals(exact.logLoss(), sparkNative.logLoss(), 1e-12);
    }

    /**
     * Per segment, in one pass: each segment's metrics equal the exact in-memory sweep of its rows
     * alone (rows split here by index parity, and a third segment of null), and the whole frame's
     * equal scikit-learn's reference.
     */
    @Test
    void binaryMetricsBySegmentMatchEachSegmentAlone() {
        Dataset<Row> segmented = frame().withColumn("i", functions.monotonically_increasing_id())
                .withColumn("seg", functions.expr("case when score < 0.1 then null when i % 2 = 0 then 'even'"
                        + " else 'odd' end")).localCheckpoint(); // the ids fixed once, for every read below
        Map<String, BinaryMetrics> bySegment = BinaryMetrics.bySegment(segmented, "score", "label", "seg");
        assertEquals(List.of("even", "null", "odd"), List.copyOf(bySegment.keySet()));
        for (Map.Entry<String, BinaryMetrics> e : bySegment.entrySet()) {
            String where = e.getKey().equals("null") ? "seg is null" : "seg = '" + e.getKey() + "'";
            BinaryMetrics alone = inMemory(segmented.where(where).select("score", "label").collectAsList());
            assertEquals(alone.n(), e.getValue().n(), e.getKey());
            assertEquals(alone.positives(), e.getValue().positives(), e.getKey());
            assertEquals(alone.rocAuc(), e.getValue().rocAuc(), 1e-12, e.getKey());
            assertEquals(alone.logLoss(), e.getValue().logLoss(), 1e-12, e.getKey());
            assertEquals(alone.ks(), e.getValue().ks(), 1e-12, e.getKey());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BinaryMetrics.bySegment(frame(), "score", "label", "label"));
        assertTrue(e.getMessage().startsWith("Metrics need both labels: ") && e.getMessage().contains(" in segment '"),
                e.getMessage());
    }

    /** The exact in-memory sweep of collected (score double, label int) rows: the reference for Spark's. */
    private static BinaryMetrics inMemory(List<Row> rows) {
        double[] s = rows.stream().mapToDouble(r -> r.getDouble(0)).toArray();
        boolean[] y = new boolean[rows.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = rows.get(i).getInt(1) == 1;
        }
        return BinaryMetrics.of(s, y);
    }

    /** Past 200,000 rows the distinct scores are sorted in Spark and streamed: the same sweep as in memory. */
    @Test
    void aLargeInputStreamsItsScoresToTheSameMetrics() {
        Dataset<Row> large = spark.range(0, 250_000, 1, 4).select(
                functions.round(functions.rand(11), 4).as("score"),
                functions.expr("cast(rand(12) < round(rand(11), 4) as int)").as("label")).localCheckpoint();
        BinaryMetrics alone = inMemory(large.collectAsList());
        BinaryMetrics streamed = BinaryMetrics.of(large, "score", "label");
        assertEquals(250_000, streamed.n());
        assertEquals(alone.positives(), streamed.positives());
        assertEquals(alone.rocAuc(), streamed.rocAuc(), 1e-12);
        assertEquals(alone.prAuc(), streamed.prAuc(), 1e-12);
        assertEquals(alone.ks(), streamed.ks(), 1e-12);
        assertEquals(alone.logLoss(), streamed.logLoss(), 1e-10);
    }

    @Test
    void calibrationMatchesNumPy() {
        Calibration exact = Calibration.of(scores, labels, 10);
        assertEquals(ECE10, exact.ece(), TOL);
        assertEquals(ECE10, Calibration.of(tech.tablesaw.api.Table.read().csv(csv.toFile()), "score", "label", 10).ece(),
                TOL);
        assertEquals(MCE10, exact.mce(), TOL);
        Calibration sparkNative = Calibration.of(frame(), "score", "label", 10);
        assertEquals(ECE10, sparkNative.ece(), TOL);
        assertEquals(MCE10, sparkNative.mce(), TOL);
        assertEquals(exact.bins().size(), sparkNative.bins().size());
        for (int i = 0; i < exact.bins().size(); i++) {
            Calibration.Bin a = exact.bins().get(i);
            Calibration.Bin b = sparkNative.bins().get(i);
            assertEquals(a.index(), b.index());
            assertEquals(a.n(), b.n());
            assertEquals(a.observedRate(), b.observedRate(), 0.0);
            assertEquals(a.meanScore(), b.meanScore(), 1e-12, "sums in another order, bin " + a.index());
        }
        assertEquals(400, exact.bins().stream().mapToLong(Calibration.Bin::n).sum());

        Calibration quantile = Calibration.quantile(scores, labels, 5);
        assertEquals(ECE_Q5, quantile.ece(), TOL);
        assertEquals(MCE_Q5, quantile.mce(), TOL);
        Calibration quantileSpark = Calibration.quantile(frame(), "score", "label", 5);
        assertEquals(ECE_Q5, quantileSpark.ece(), TOL);
        assertEquals(MCE_Q5, quantileSpark.mce(), TOL);
        assertEquals(quantile.bins().stream().map(Calibration.Bin::upper).toList(),
                quantileSpark.bins().stream().map(Calibration.Bin::upper).toList(), "the same edges on both paths");
    }

    /** n, responders, lift, cumulative gain, cumulative lift per decile, from make_metrics_fixture.py (NumPy). */
    private static final double[][] DECILES = {
        {39, 26, 2.4691358024691357, 0.24074074074074073, 2.4691358024691357},
        {39, 20, 1.8993352326685657, 0.42592592592592593, 2.1842355175688506},
        {37, 12, 1.2012012012012012, 0.53703703703703709, 1.8679549114331722},
        {40, 10, 0.92592592592592582, 0.62962962962962965, 1.6248506571087216},
        {44, 10, 0.84175084175084169, 0.72222222222222221, 1.4517029592406474},
        {36, 11, 1.131687242798354, 0.82407407407407407, 1.4026792750197004},
        {45, 6, 0.49382716049382713, 0.87962962962962965, 1.2566137566137565},
        {40, 6, 0.55555555555555547, 0.93518518518518523, 1.1689814814814814},
        {37, 4, 0.40040040040040037, 0.97222222222222221, 1.0893246187363834},
        {43, 3, 0.25839793281653745, 1, 1},
    };

    private static void assertDeciles(Deciles deciles) {
        assertEquals(10, deciles.rows().size());
        for (int d = 0; d < 10; d++) {
            Deciles.Decile row = deciles.rows().get(d);
            assertEquals(d + 1, row.decile());
            assertEquals((long) DECILES[d][0], row.n(), "n of decile " + (d + 1));
            assertEquals((long) DECILES[d][1], row.responders(), "responders of decile " + (d + 1));
            assertEquals(DECILES[d][2], row.lift(), TOL);
            assertEquals(DECILES[d][3], row.cumulativeGain(), TOL);
            assertEquals(DECILES[d][4], row.cumulativeLift(), TOL);
        }
    }

    @Test
    void decileTableMatchesNumPyOnBothPaths(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Deciles exact = Deciles.of(scores, labels);
        assertDeciles(exact);
        assertDeciles(Deciles.of(tech.tablesaw.api.Table.read().csv(csv.toFile()), "score", "label"));
        Deciles sparkNative = Deciles.of(frame(), "score", "label");
        assertDeciles(sparkNative);
        assertEquals(exact, sparkNative);
        String shown = io.propensitykit.display.Display.table(exact.table());
        assertTrue(shown.startsWith("%table decile\tn\tresponders\trate\tlift"), shown);
        // The decile's rate to four decimals and its lift to two, as String.format rounds them.
        Deciles.Decile top = exact.rows().get(0);
        assertTrue(shown.contains("\n1\t" + top.n() + "\t" + top.responders() + "\t"
                + String.format(java.util.Locale.ROOT, "%.4f\t%.2f\t", top.rate(), top.lift())), shown);
        assertEquals(String.format(java.util.Locale.ROOT, "Deciles[10 deciles, %,d rows, rate %.4f, top lift %.2f]",
                exact.rows().stream().mapToLong(Deciles.Decile::n).sum(), exact.overallRate(), top.lift()),
                exact.toString());
        Path out = tmp.resolve("deciles.csv");
        exact.writeCsv(out);
        assertEquals(11, Files.readAllLines(out).size());
        assertEquals("decile,n,responders,rate,lift,cumulative_gain,cumulative_lift,min_score,max_score",
                Files.readAllLines(out).get(0));
    }

    @Test
    void badInputSaysWhatIsWrong() {
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> BinaryMetrics.of(new double[] {0.2, 1.5}, new boolean[] {true, false}));
        assertTrue(range.getMessage().startsWith("Scores in 'scores' must be probabilities in [0, 1]; 0 rows are null "
                + "and 1 lie outside (for example 1.5)."), range.getMessage());
        IllegalArgumentException oneClass = assertThrows(IllegalArgumentException.class,
                () -> BinaryMetrics.of(new double[] {0.2, 0.5}, new boolean[] {true, true}));
        assertTrue(oneClass.getMessage().startsWith("Metrics need both labels: 2 positives, 0 negatives"));
        Dataset<Row> text = frame().withColumn("label", functions.lit("yes"));
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> BinaryMetrics.of(text, "score", "label"));
        assertEquals("Column 'label' has type string; it must be 0/1 or boolean.", label.getMessage());
    }

    /**
     * Each metric's array and Spark paths refuse the same rows with the same message: a score
     * outside [0, 1] (the Spark calibration once failed with an index error instead), and a label
     * that is null or not 0/1.
     */
    @Test
    void everyPathRefusesTheSameRows() {
        Dataset<Row> high = frame().withColumn("score", functions.expr("CASE WHEN score > 0.7 THEN 1.25 ELSE score END"));
        long above = high.where("score > 1").count();
        String outside = "Scores in 'score' must be probabilities in [0, 1]; 0 rows are null and " + above
                + " lie outside (for example 1.25).";
        for (Executable call : List.<Executable>of(() -> BinaryMetrics.of(high, "score", "label"),
                () -> BinaryMetrics.bySegment(quarters(high), "score", "label", "quarter"),
                () -> Calibration.of(high, "score", "label", 10), () -> Calibration.quantile(high, "score", "label", 5),
                () -> Calibrator.platt(high, "score", "label"), () -> Histogram.of(high, "score", "label", 10),
                () -> Histogram.byArm(high, "score", "label", 10))) {
            assertTrue(assertThrows(IllegalArgumentException.class, call).getMessage().startsWith(outside));
        }
        double[] shifted = scores.clone();
        shifted[7] = 1.25;
        for (Executable call : List.<Executable>of(() -> BinaryMetrics.of(shifted, labels),
                () -> Calibration.of(shifted, labels, 10), () -> Calibration.quantile(shifted, labels, 5),
                () -> Calibrator.platt(shifted, labels))) {
            assertTrue(assertThrows(IllegalArgumentException.class, call).getMessage().startsWith(
                    "Scores in 'scores' must be probabilities in [0, 1]; 0 rows are null and 1 lie outside "
                    + "(for example 1.25)."));
        }
        Dataset<Row> gaps = frame().withColumn("label", functions.expr("CASE WHEN score < 0.1 THEN NULL "
                + "WHEN score > 0.7 THEN 2 ELSE label END"));
        long nulls = gaps.where("label IS NULL").count();
        long twos = gaps.where("label = 2").count();
        assertTrue(nulls > 0 && twos > 0, "the fixture has scores at both ends");
        String notBinary = "Column 'label' must be 0 or 1 in every row; " + nulls + " rows are null and " + twos
                + " hold other values (for example 2).";
        for (Executable call : List.<Executable>of(() -> BinaryMetrics.of(gaps, "score", "label"),
                () -> BinaryMetrics.bySegment(quarters(gaps), "score", "label", "quarter"),
                () -> Calibration.of(gaps, "score", "label", 10), () -> Deciles.of(gaps, "score", "label"),
                () -> Calibrator.isotonic(gaps, "score", "label"), () -> Histogram.byArm(gaps, "score", "label", 10),
                () -> Histogram.weightsByArm(gaps, "score", "label", 10),
                () -> io.propensitykit.causal.Effects.on(gaps).setTreatment("label").setOutcome("score")
                        .optReplicates(20).naive())) {
            assertTrue(assertThrows(IllegalArgumentException.class, call).getMessage().startsWith(notBinary));
        }
    }

    /** The rows in four segments by score, so that the bad rows fall in more than one. */
    private static Dataset<Row> quarters(Dataset<Row> rows) {
        return rows.withColumn("quarter", functions.expr("CAST(least(score, 0.99) * 4 AS INT)"));
    }

    /**
     * The ROC curve both paths return: 200,000 distinct scores give at most about 2,000 vertices,
     * from (0, 0) to (1, 1), and the area under the drawn polyline stays within the thinning's
     * resolution of the exact AUC; both paths return the same curve.
     */
    @Test
    void rocCurveIsThinnedWithinItsResolution() {
        java.util.Random random = new java.util.Random(11);
        double[] s = new double[200_000];
        boolean[] y = new boolean[s.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = random.nextDouble();
            y[i] = random.nextDouble() < s[i];
        }
        BinaryMetrics exact = BinaryMetrics.of(s, y);
        double[] fpr = exact.roc().fpr();
        double[] tpr = exact.roc().tpr();
        assertTrue(fpr.length > 500 && fpr.length <= 2003, fpr.length + " points");
        assertEquals(0.0, fpr[0]);
        assertEquals(0.0, tpr[0]);
        assertEquals(1.0, fpr[fpr.length - 1]);
        assertEquals(1.0, tpr[tpr.length - 1]);
        double area = 0;
        for (int i = 1; i < fpr.length; i++) {
            assertTrue(fpr[i] >= fpr[i - 1] && tpr[i] >= tpr[i - 1], "monotone at " + i);
            area += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2;
        }
        assertEquals(exact.rocAuc(), area, BinaryMetrics.Roc.RESOLUTION);
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < s.length; i++) {
            rows.add(org.apache.spark.sql.RowFactory.create(s[i], y[i] ? 1 : 0));
        }
        BinaryMetrics inSpark = BinaryMetrics.of(spark.createDataFrame(rows, new org.apache.spark.sql.types.StructType()
                .add("s", "double").add("y", "int")), "s", "y");
        org.junit.jupiter.api.Assertions.assertArrayEquals(fpr, inSpark.roc().fpr(), 1e-12);
        org.junit.jupiter.api.Assertions.assertArrayEquals(tpr, inSpark.roc().tpr(), 1e-12);
    }

    /**
     * Weights binned per arm in Spark against the same binning done by hand on the collected rows
     * (bin = floor((w - min) / width), the largest weight in the last bin); a weight that is null,
     * NaN or infinite cannot be binned and is refused.
     */
    @Test
    void weightsAreBinnedPerArmOrRefused() {
        Dataset<Row> weighted = frame().withColumn("w", functions.expr("1 / (score * (1 - score) + 0.05)"));
        Histogram h = Histogram.weightsByArm(weighted, "w", "label", 7);
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        List<Row> rows = weighted.select("w", "label").collectAsList();
        for (Row r : rows) {
            lo = Math.min(lo, r.getDouble(0));
            hi = Math.max(hi, r.getDouble(0));
        }
        long[] treated = new long[7];
        long[] control = new long[7];
        for (Row r : rows) {
            int bin = Math.min((int) Math.floor((r.getDouble(0) - lo) / ((hi - lo) / 7)), 6);
            (((Number) r.get(1)).intValue() == 1 ? treated : control)[bin]++;
        }
        assertEquals(lo, h.lower(), 0.0);
        assertEquals(hi, h.upper(), 0.0);
        assertEquals(java.util.Arrays.toString(treated), java.util.Arrays.toString(h.counts().get(Histogram.TREATED)));
        assertEquals(java.util.Arrays.toString(control), java.util.Arrays.toString(h.counts().get(Histogram.CONTROL)));

        Dataset<Row> nan = weighted.withColumn("w",
                functions.expr("CASE WHEN score > 0.7 THEN double('NaN') ELSE w END"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Histogram.weightsByArm(nan, "w", "label", 7))
                .getMessage().matches("Column 'w' has 0 null and [1-9][0-9]* NaN rows; drop or fill them first\\."));
        Dataset<Row> inf = weighted.withColumn("w",
                functions.expr("CASE WHEN score > 0.7 THEN double('Infinity') ELSE w END"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Histogram.weightsByArm(inf, "w", "label", 7));
        assertTrue(e.getMessage().startsWith("Column 'w' holds an infinite value"), e.getMessage());
    }

    /**
     * Calibration per segment in one Spark aggregation against the array path run on each
     * segment's rows alone; a null segment is its own segment.
     */
    @Test
    void calibrationBySegmentMatchesEachSegmentAlone() {
        Dataset<Row> segmented = frame().withColumn("device", functions.expr("CASE WHEN score < 0.05 THEN NULL"
                + " WHEN cast(score * 100 AS INT) % 2 = 0 THEN 'mobile' ELSE 'desktop' END"));
        Map<String, Calibration> bySegment = Calibration.bySegment(segmented, "score", "label", "device", 10);
        assertEquals(List.of("desktop", "mobile", "null"), List.copyOf(bySegment.keySet()));
        long rows = 0;
        for (Map.Entry<String, Calibration> e : bySegment.entrySet()) {
            String where = e.getKey().equals("null") ? "device IS NULL" : "device = '" + e.getKey() + "'";
            List<Row> part = segmented.where(where).select("score", "label").collectAsList();
            double[] s = part.stream().mapToDouble(r -> r.getDouble(0)).toArray();
            boolean[] y = new boolean[part.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = ((Number) part.get(i).get(1)).intValue() == 1;
            }
            Calibration alone = Calibration.of(s, y, 10);
            assertEquals(alone.bins().size(), e.getValue().bins().size(), e.getKey());
            for (int b = 0; b < alone.bins().size(); b++) {
                assertEquals(alone.bins().get(b).n(), e.getValue().bins().get(b).n(), e.getKey());
                assertEquals(alone.bins().get(b).meanScore(), e.getValue().bins().get(b).meanScore(), 1e-12);
                assertEquals(alone.bins().get(b).observedRate(), e.getValue().bins().get(b).observedRate(), 1e-12);
            }
            assertEquals(alone.ece(), e.getValue().ece(), 1e-12, e.getKey());
            rows += part.size();
        }
        assertEquals(400, rows, "every row in one segment");
        Plot plot = ScorePlots.reliability(bySegment);
        assertEquals(4, plot.series().size(), "the diagonal and one curve per segment");
    }
}
