package io.propensitykit.causal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything but matching runs as Spark aggregations: what the driver receives from tasks (Spark's
 * own {@code resultSize} task metric) depends on strata, covariates and bootstrap replicates, not
 * on rows. The same analysis on 10 times the rows, in as many partitions, brings back no more.
 * (Spark's quantile summaries keep up to 50,000 values per partition before compressing, so
 * the smaller run, 50,000 rows a partition, sends more than the larger.)
 */
class DriverFootprintTest extends SharedSpark {

    private static final List<String> COVARIATES = List.of("x1", "x2");

    @Test
    void theDriverReceivesAsMuchFromTenTimesTheRows() {
        long small = bytesToDriver(() -> analyse(rows(200_000)));
        long large = bytesToDriver(() -> analyse(rows(2_000_000)));
        System.out.printf("bytes to the driver: %,d for 200,000 rows, %,d for 2,000,000%n", small, large);
        assertTrue(large < 1.25 * small, "the driver received " + large + " bytes for 2,000,000 rows against " + small
                + " for 200,000");
        // The meter sees a collect: one double per row is 3,200,000 bytes at 400,000 rows.
        long collected = bytesToDriver(() -> rows(400_000).select("x1").collectAsList());
        assertTrue(collected > 3_200_000, "a collect of 400,000 doubles registered only " + collected + " bytes");
        assertTrue(large < collected / 2, "the whole analysis of 2,000,000 rows brought back " + large
                + " bytes, not much less than one collected column of 400,000 rows (" + collected + ")");
    }

    /** Rows with a known propensity e, treatment t, outcome y and outcome predictions, in 4 partitions. */
    private static Dataset<Row> rows(long n) {
        return spark.range(0, n, 1, 4).withColumn("x1", functions.randn(1)).withColumn("x2", functions.rand(2))
                .withColumn("e", functions.expr("1 / (1 + exp(-(0.8 * x1 - 0.5 * x2)))"))
                .withColumn("t", functions.expr("CAST(rand(3) < e AS INT)"))
                .withColumn("y", functions.expr("x1 + 0.5 * t + randn(4)"))
                .withColumn("m1", functions.expr("x1 + 0.5")).withColumn("m0", functions.col("x1"));
    }

    private static void analyse(Dataset<Row> df) {
        Stratification strata = Stratification.of(df, "e", "t", Estimand.ATT, 10);
        strata.effect("y", 20, 1);
        strata.withinStrata(COVARIATES);
        Stratification.balanced(df, "e", "t", Estimand.ATT, 5);
        Effects.ipw(df, "e", "t", "y", Estimand.ATT, 20, 1);
        Effects.aipw(df, "e", "t", "y", "m1", "m0", Estimand.ATT, 20, 1);
        Effects.regression(df, "t", "m1", "m0", Estimand.ATT, 20, 1);
        Balance.of(Weights.add(df, "e", "t", Estimand.ATT, false, "w"), "t", COVARIATES, "w");
    }

    private static long bytesToDriver(Runnable work) {
        AtomicLong bytes = new AtomicLong();
        SparkListener meter = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskMetrics() != null) {
                    bytes.addAndGet(end.taskMetrics().resultSize());
                }
            }
        };
        spark.sparkContext().addSparkListener(meter);
        try {
            work.run();
            spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Spark's listener bus did not drain in a minute", e);
        } finally {
            spark.sparkContext().removeSparkListener(meter);
        }
        return bytes.get();
    }
}
