package io.propensitykit.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.metrics.BinaryMetrics;
import io.propensitykit.metrics.Calibrator;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.monitor.ExpectedPerformance.Expected;
import io.propensitykit.spark.Propensity;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Performance expected without labels, against the NumPy reference of
 * {@code fixtures/monitor/make_expected_fixture.py} (the same bins, sweep and deciles, to 1e-9, and
 * the pairwise formula on the rows within the stated bin error), then against the truth on
 * generated customers: a covariate shift it must see through, a concept shift it cannot.
 */
class ExpectedPerformanceTest extends SharedSpark {

    private static Dataset<Row> fixture;
    private static JsonObject reference;

    @BeforeAll
    static void load() throws Exception {
        Path dir = Path.of(ExpectedPerformanceTest.class.getResource("/fixtures/monitor/expected.csv").toURI())
                .getParent();
        fixture = spark.read().option("header", "true").schema("s DOUBLE, y INT").csv(dir.resolve("expected.csv")
                .toString());
        reference = JsonParser.parseString(Files.readString(dir.resolve("expected_reference.json"))).getAsJsonObject();
    }

    @Test
    void matchesNumPyBinForBin() {
        Expected e = ExpectedPerformance.on(fixture).setScore("s").optLabel("y").optBins(reference.get("bins").getAsInt())
                .compute();
        assertEquals(reference.get("rows").getAsLong(), e.n());
        assertEquals(reference.get("rate").getAsDouble(), e.rate(), 1e-9);
        assertEquals(reference.get("auc").getAsDouble(), e.auc(), 1e-9);
        assertEquals(reference.get("auc_bin_error").getAsDouble(), e.aucBinError(), 1e-9);
        assertEquals(reference.get("realized_rate").getAsDouble(), e.realizedRate(), 1e-9);
        assertEquals(reference.get("realized_auc").getAsDouble(), e.realizedAuc(), 1e-9);
        JsonArray deciles = reference.getAsJsonArray("deciles");
        for (int d = 0; d < 10; d++) {
            JsonObject want = deciles.get(d).getAsJsonObject();
            Expected.Decile got = e.deciles().get(d);
            assertEquals(want.get("n").getAsLong(), got.n(), "decile " + (d + 1));
            assertEquals(want.get("expected_rate").getAsDouble(), got.expectedRate(), 1e-9);
            assertEquals(want.get("expected_lift").getAsDouble(), got.expectedLift(), 1e-9);
            assertEquals(want.get("realized_rate").getAsDouble(), got.realizedRate(), 1e-9);
            assertEquals(want.get("realized_lift").getAsDouble(), got.realizedLift(), 1e-9);
        }
        // The pairwise formula on the rows, within the bound the bins state (NumPy's, over 4M pairs).
        double exact = reference.get("exact_auc").getAsDouble();
        assertTrue(Math.abs(e.auc() - exact) <= e.aucBinError(), e.auc() + " vs " + exact + " ± " + e.aucBinError());
        // Without labels: the same estimate, nothing realized.
        Expected blind = ExpectedPerformance.on(fixture.drop("y")).setScore("s").optBins(1000).compute();
        assertEquals(e.auc(), blind.auc(), 0.0);
        assertTrue(Double.isNaN(blind.realizedAuc()) && Double.isNaN(blind.realizedLift()));
        assertTrue(blind.toString().startsWith("Expected[2,000 rows, rate 0.2683, AUC 0.7445 ± "), blind.toString());
        assertEquals(3, blind.table().rowCount());
    }

    @Test
    void badScoresAreRefusedInTheSamePass() {
        Dataset<Row> outside = fixture.withColumn("s", functions.expr("CASE WHEN s > 0.6 THEN 1.5 ELSE s END"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExpectedPerformance.on(outside).setScore("s").compute());
        assertTrue(e.getMessage().startsWith("Scores in 's' must be probabilities in [0, 1]; 0 rows are null and "),
                e.getMessage());
        IllegalStateException unnamed = assertThrows(IllegalStateException.class,
                () -> ExpectedPerformance.on(fixture).compute());
        assertTrue(unnamed.getMessage().contains("setScore"));
    }

    /**
     * The demo model, calibrated on a labelled week (isotonic), scores another week whose device mix
     * moved (mobile customers kept, four in five of the others dropped): the customers changed, the
     * link from features to purchase did not. The expected AUC and rate land within 0.01 of what
     * the labels show once they are joined back. When the link itself changes (half of each
     * customer's propensity replaced by the average: a concept shift), the estimate cannot see it.
     */
    @Test
    void seesACovariateShiftButNotAConceptShift() {
        PropensityModel model = Propensity.load(spark, "classpath:models/retail_mlp.pt");
        Dataset<Row> lastWeek = Propensity.score(RetailGenerator.builder().optRows(150_000).optSeed(21).build()
                .generate(spark), model).cache();
        Calibrator map = Calibrator.isotonic(lastWeek, "propensity", "purchased");
        Dataset<Row> thisWeek = Propensity.score(RetailGenerator.builder().optRows(400_000).optSeed(22).build()
                .generate(spark).where("device = 'mobile' OR rand(7) < 0.2"), model).cache();
        Expected e = ExpectedPerformance.on(thisWeek.drop("purchased")).setScore("propensity").optCalibrator(map)
                .optReference(lastWeek, "purchased").compute();
        BinaryMetrics realized = BinaryMetrics.of(thisWeek, "propensity", "purchased");
        double rate = thisWeek.agg(functions.avg("purchased")).first().getDouble(0);
        assertEquals(realized.rocAuc(), e.auc(), 0.01, e + " vs realized " + realized);
        assertEquals(rate, e.rate(), 0.01, e.toString());
        assertTrue(e.referenceEce() < ExpectedPerformance.DEFAULT_ECE_WARNING, e.toString());
        assertNull(e.calibrationWarning(ExpectedPerformance.DEFAULT_ECE_WARNING));

        Dataset<Row> concept = thisWeek.withColumn("purchased", functions.when(functions.rand(11).lt(
                functions.col("true_propensity").multiply(0.5).plus(rate * 0.5)), 1).otherwise(0));
        Expected blind = ExpectedPerformance.on(concept).setScore("propensity").optCalibrator(map).optLabel("purchased")
                .compute();
        assertEquals(e.auc(), blind.auc(), 1e-12, "the scores did not change, nor does the estimate");
        assertTrue(blind.auc() - blind.realizedAuc() > 0.05, "the concept shift goes unseen: " + blind);
        System.out.printf(java.util.Locale.ROOT, "device-mix shift: expected AUC %.4f rate %.4f, realized AUC %.4f"
                + " rate %.4f (reference ECE %.4f); concept shift: realized AUC %.4f%n", e.auc(), e.rate(),
                realized.rocAuc(), rate, e.referenceEce(), blind.realizedAuc());
        lastWeek.unpersist();
        thisWeek.unpersist();
    }
}
