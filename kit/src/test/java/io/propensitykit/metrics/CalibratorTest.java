package io.propensitykit.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/**
 * Platt and isotonic calibration against scikit-learn on {@code fixtures/metrics/scores.csv}
 * (references printed by make_metrics_fixture.py), and on generated data with known truth.
 */
class CalibratorTest extends SharedSpark {

    /** scikit-learn LogisticRegression(C=1e12, newton-cg) on logit(score); its solver stops near 1e-8. */
    private static final double SKLEARN_SLOPE = 1.0686774158688064;
    private static final double SKLEARN_INTERCEPT = -0.015806295607645508;
    /** The same likelihood maximized by NumPy Newton steps run to convergence (make_metrics_fixture.py). */
    private static final double NUMPY_SLOPE = 1.0686774158688335;
    private static final double NUMPY_INTERCEPT = -0.015806295607624813;
    private static final double[] PROBES = {0.0, 0.05, 0.125, 0.3, 0.333, 0.5, 0.71, 0.95};
    /** scikit-learn IsotonicRegression(out_of_bounds="clip").predict(PROBES). */
    private static final double[] ISOTONIC = {0, 0.071428571428571425, 0.094339622641509441, 0.25333333333333335,
        0.2857142857142857, 0.51282051282051277, 0.8999999999999998, 1};

    private static final ScoresFixture FIXTURE = ScoresFixture.load();
    private static final double[] scores = FIXTURE.scores;
    private static final boolean[] labels = FIXTURE.labels;
    private static Dataset<Row> frame;

    @BeforeAll
    static void load() {
        frame = FIXTURE.frame(spark);
    }

    @Test
    void plattMatchesScikitLearn() {
        Calibrator exact = Calibrator.platt(scores, labels);
        Calibrator sparkNative = Calibrator.platt(frame, "score", "label");
        for (double s : PROBES) {
            assertEquals(platt(NUMPY_SLOPE, NUMPY_INTERCEPT, s), exact.apply(s), 1e-9, "NumPy Newton; score " + s);
            assertEquals(platt(SKLEARN_SLOPE, SKLEARN_INTERCEPT, s), exact.apply(s), 1e-7,
                    "scikit-learn, to its solver's tolerance; score " + s);
            assertEquals(exact.apply(s), sparkNative.apply(s), 1e-12, "both Newton fits converge alike; score " + s);
        }
    }

    private static double platt(double slope, double intercept, double s) {
        double p = Math.min(Math.max(s, 1e-12), 1 - 1e-12);
        return 1 / (1 + Math.exp(-(slope * Math.log(p / (1 - p)) + intercept)));
    }

    @Test
    void isotonicMatchesScikitLearn(@TempDir Path tmp) throws Exception {
        Calibrator exact = Calibrator.isotonic(scores, labels);
        Calibrator sparkNative = Calibrator.isotonic(frame, "score", "label");
        for (int i = 0; i < PROBES.length; i++) {
            assertEquals(ISOTONIC[i], exact.apply(PROBES[i]), 1e-9, "score " + PROBES[i]);
            assertEquals(ISOTONIC[i], sparkNative.apply(PROBES[i]), 1e-9, "score " + PROBES[i]);
        }
        Path saved = tmp.resolve("iso.json");
        exact.save(saved);
        Calibrator back = Calibrator.load(saved);
        List<Row> applied = frame.withColumn("c", back.apply(functions.col("score"))).select("score", "c")
                .collectAsList();
        for (Row r : applied) {
            assertEquals(exact.apply(r.getDouble(0)), r.getDouble(1), 0.0);
        }
    }

    @Test
    void calibrationBringsEceUnderTwoPercentOnGeneratedData() {
        // An over-confident score: the square root of the true propensity.
        Dataset<Row> all = RetailGenerator.builder().optRows(100_000).optSeed(13).build().generate(spark)
                .withColumn("score", functions.sqrt(functions.col("true_propensity"))).cache();
        Dataset<Row> fit = all.where("customer_id % 2 = 0");
        Dataset<Row> check = all.where("customer_id % 2 = 1");
        double before = Calibration.of(check, "score", "purchased", 10).ece();
        Calibrator iso = Calibrator.isotonic(fit, "score", "purchased");
        Calibrator platt = Calibrator.platt(fit, "score", "purchased");
        double afterIso = Calibration.of(check.withColumn("c", iso.apply(functions.col("score"))), "c", "purchased", 10)
                .ece();
        double afterPlatt = Calibration.of(check.withColumn("c", platt.apply(functions.col("score"))), "c",
                "purchased", 10).ece();
        System.out.printf("ECE (10 bins) before %.4f, after isotonic %.4f, after Platt %.4f%n", before, afterIso,
                afterPlatt);
        assertTrue(before > 0.1, "the raw score is miscalibrated: " + before);
        assertTrue(afterIso <= 0.02, "isotonic " + afterIso);
        assertTrue(afterPlatt <= 0.02, "Platt " + afterPlatt);
        all.unpersist();
    }
}
