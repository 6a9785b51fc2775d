package io.propensitykit.bench;

import io.propensitykit.causal.Balance;
import io.propensitykit.causal.Effects;
import io.propensitykit.causal.Estimand;
import io.propensitykit.causal.Matching;
import io.propensitykit.causal.Overlap;
import io.propensitykit.causal.Stratification;
import io.propensitykit.causal.Weights;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.explain.Importance;
import io.propensitykit.explain.PartialDependence;
import io.propensitykit.metrics.BinaryMetrics;
import io.propensitykit.metrics.Calibration;
import io.propensitykit.metrics.Calibrator;
import io.propensitykit.metrics.Deciles;
import io.propensitykit.metrics.Histogram;
import io.propensitykit.metrics.Targeting;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.monitor.Drift;
import io.propensitykit.monitor.DriftProfile;
import io.propensitykit.spark.Propensity;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code kit bench --note-calls}: how long each kit call that the notes make takes on a small,
 * cached input, warm, as a Zeppelin user waits for it: each call once untimed, then the median of
 * {@code repeat} timed runs, printed as a table against the 1-second target.
 */
final class NoteCalls {

    /** What a notebook step should take on small data, warm. */
    static final double TARGET_SECONDS = 1.0;

    private NoteCalls() {}

    static void run(SparkSession spark, long rows, int repeat) {
        Dataset<Row> customers = RetailGenerator.demo(spark, rows, 42);
        PropensityModel model = Propensity.load(spark, "classpath:models/retail_mlp.pt");
        Dataset<Row> scored = Propensity.scorer(model).build().transform(customers)
                .withColumn("ps", functions.col("true_treatment_propensity")).cache();
        Dataset<Row> weighted = Weights.on(scored).setScore("ps").setTreatment("treated").optStabilized()
                .optOutputCol("w").add().cache();
        Dataset<Row> nextWeek = RetailGenerator.builder().optRows(rows).optSeed(43).build().generate(spark).cache();
        Dataset<Row> nextScored = Propensity.scorer(model).build().transform(nextWeek).cache();
        scored.count();
        weighted.count();
        nextScored.count();
        DriftProfile reference = Drift.forModel(model.metadata(), scored).setScore("propensity").profile();
        Effects effects = Effects.on(weighted).setTreatment("treated").setOutcome("purchased").optReplicates(200)
                .optSeed(1);
        String feature = model.metadata().features().get(0);

        Map<String, Supplier<Object>> calls = new LinkedHashMap<>();
        calls.put("Propensity.scorer(...).transform + avg", () -> Propensity.scorer(model).build()
                .transform(customers).agg(functions.avg("propensity")).first());
        calls.put("BinaryMetrics.of", () -> BinaryMetrics.of(scored, "propensity", "purchased"));
        calls.put("Deciles.of", () -> Deciles.of(scored, "propensity", "purchased"));
        calls.put("Calibration.of (10 bins)", () -> Calibration.of(scored, "propensity", "purchased", 10));
        calls.put("Calibration.bySegment", () -> Calibration.bySegment(scored, "propensity", "purchased", "device"));
        calls.put("Calibrator.isotonic", () -> Calibrator.isotonic(scored, "propensity", "purchased"));
        calls.put("Histogram.of (20 bins)", () -> Histogram.of(scored, "propensity", "device", 20));
        calls.put("Histogram.byArm", () -> Histogram.byArm(scored, "ps", "treated", 20));
        calls.put("Targeting.forBudget", () -> Targeting.forBudget(scored, "propensity", "purchased",
                (int) Math.max(1, rows / 10)));
        calls.put("Overlap.of", () -> Overlap.of(scored, "ps", "treated"));
        calls.put("Overlap.trim + count", () -> Overlap.trim(scored, "ps", 0.05, 0.95).count());
        calls.put("Weights.on(...).add + count", () -> Weights.on(scored).setScore("ps").setTreatment("treated")
                .optStabilized().optOutputCol("w2").add().count());
        calls.put("Balance.of", () -> Balance.of(weighted, "treated", RetailGenerator.NUMERIC_FEATURES, "w"));
        calls.put("Effects.naive (200 replicates)", effects::naive);
        calls.put("Effects.ipw (200 replicates)", () -> effects.ipw("ps"));
        calls.put("Effects.aipw (200 replicates)", () -> effects.aipw("ps", "propensity", "propensity"));
        calls.put("Stratification (ATT) + effect (200)", () -> Stratification.on(weighted).setScore("ps")
                .setTreatment("treated").optEstimand(Estimand.ATT).compute().effect("purchased", 200, 1));
        calls.put("Matching + att (200)", () -> Matching.on(weighted).setId("customer_id").setScore("ps")
                .setTreatment("treated").optWithReplacement().optSeed(1).compute().att("purchased", 200));
        calls.put("Drift.forModel(...).profile", () -> Drift.forModel(model.metadata(), scored)
                .setScore("propensity").profile());
        calls.put("Drift.against(profile, ...).compute", () -> Drift.against(reference, nextScored).compute());
        calls.put("Importance.of (3 repeats)", () -> Importance.of(model, nextScored, "purchased").optRepeats(3)
                .compute());
        calls.put("PartialDependence.of", () -> PartialDependence.of(model, nextScored, feature));

        System.out.printf(Locale.ROOT, "bench: kit calls of the notes on %,d cached rows, %s, warm: median of %d"
                + " runs after one untimed%n", rows, spark.sparkContext().master(), repeat);
        System.out.printf(Locale.ROOT, "%-38s %9s %9s  %s%n", "call", "seconds", "spark jobs", "");
        int over = 0;
        for (Map.Entry<String, Supplier<Object>> call : calls.entrySet()) {
            call.getValue().get();
            double[] seconds = new double[repeat];
            long jobsBefore = jobs(spark);
            for (int r = 0; r < repeat; r++) {
                long t0 = System.nanoTime();
                call.getValue().get();
                seconds[r] = (System.nanoTime() - t0) / 1e9;
            }
            long jobs = Math.round((jobs(spark) - jobsBefore) / (double) repeat);
            Arrays.sort(seconds);
            double median = seconds[repeat / 2];
            boolean slow = median > TARGET_SECONDS;
            over += slow ? 1 : 0;
            System.out.printf(Locale.ROOT, "%-38s %9.3f %9d  %s%n", call.getKey(), median, jobs,
                    slow ? "over " + TARGET_SECONDS + " s" : "");
        }
        System.out.printf(Locale.ROOT, "note calls: %d of %d within %.1f s warm%n", calls.size() - over, calls.size(),
                TARGET_SECONDS);
    }

    /** Spark jobs started so far in this application. */
    private static long jobs(SparkSession spark) {
        int[] ids = spark.sparkContext().statusTracker().getJobIdsForGroup(null);
        return Arrays.stream(ids).max().orElse(-1) + 1L;
    }
}
