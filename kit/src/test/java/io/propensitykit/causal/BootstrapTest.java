package io.propensitykit.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.model.ModelRuntime;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.spark.Propensity;
import io.propensitykit.train.PropensityTrainer;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The whole-pipeline bootstrap: resampling, the interval, and a propensity refitted per replicate. */
class BootstrapTest extends SharedSpark {

    @Test
    void theIntervalOfAMeanMatchesItsStandardError() {
        // For a plain mean the bootstrap's 95% interval is about mean ± 1.96 sd/sqrt(n) (the
        // normal theory reference, computed here from the same rows); 400 replicates of 300 rows
        // give the half-width to about 10%.
        Dataset<Row> rows = CausalFixture.read(spark).cache();
        Row stats = rows.agg(functions.avg("x1"), functions.stddev_samp("x1"), functions.count("x1")).first();
        double halfWidth = 1.96 * stats.getDouble(1) / Math.sqrt(stats.getLong(2));
        Effects.Estimate mean = Bootstrap.pipeline("mean of x1", rows, 400, 5, null, (sample, scratch) ->
                sample.agg(functions.avg("x1")).first().getDouble(0));
        assertEquals(stats.getDouble(0), mean.estimate(), 1e-12, "the estimate is the run on the rows themselves");
        assertEquals(halfWidth, (mean.upper() - mean.lower()) / 2, 0.15 * halfWidth);
        assertEquals(stats.getDouble(0), (mean.upper() + mean.lower()) / 2, 0.2 * halfWidth);
        // Determinism on fewer replicates: each one is a Spark job.
        Effects.Estimate few = Bootstrap.pipeline("mean of x1", rows, 40, 5, null, (sample, scratch) ->
                sample.agg(functions.avg("x1")).first().getDouble(0));
        Effects.Estimate again = Bootstrap.pipeline("mean of x1", rows, 40, 5, null, (sample, scratch) ->
                sample.agg(functions.avg("x1")).first().getDouble(0));
        assertEquals(few, again, "the same seed gives the same interval");
        assertNotEquals(mean, few, "the interval depends on the replicates");
    }

    @Test
    void refittingThePropensityInEveryReplicateCoversTheTrueEffectOnTheTreated() {
        // The generator targets on the open rate (a missing one counts as 0.3), log1p(frequency),
        // recency and the app channel: a logistic propensity on those is correctly specified.
        Dataset<Row> df = RetailGenerator.builder().optRows(100_000).optSeed(31).optConfounding(1.5)
                .optEffectSize(0.4).build().generate(spark).na().fill(0.3, new String[] {"email_open_rate"}).cache();
        double trueAtt = df.where("treated = 1").agg(functions.avg("true_effect")).first().getDouble(0);
        PropensityTrainer trainer = PropensityTrainer.builder().setNumeric(List.of("email_open_rate", "frequency",
                "recency_days")).optLogTransform(List.of("frequency")).setCategorical(List.of("channel"))
                .setLabel("treated").optLogistic(0).optName("refit").optProgress(line -> { }).build();
        List<Path> scratches = new ArrayList<>();
        List<String> progress = new ArrayList<>();
        int loadedBefore = ModelRuntime.loaded();
        Effects.Estimate refitted = Bootstrap.pipeline("ATT weighting, refitted", df, 20, 3, progress::add,
                (sample, scratch) -> {
                    scratches.add(scratch);
                    assertEquals(List.of(), Files.list(scratch).toList(), "each run starts with an empty directory");
                    try (PropensityModel model = Propensity.load(spark, trainer.fit(sample).save(scratch.resolve("m"))
                            .toString())) {
                        Dataset<Row> scored = Propensity.scorer(model).optOutputCol("p").build().transform(sample);
                        return Effects.ipw(scored, "p", "treated", "purchased", Estimand.ATT, 20, 1).estimate();
                    }
                });
        System.out.printf("true ATT %.4f; refitted ATT weighting %.4f [%.4f, %.4f]%n", trueAtt, refitted.estimate(),
                refitted.lower(), refitted.upper());
        assertEquals(21, scratches.size(), "the rows, then 20 resamples, each fitted again");
        assertEquals(20, progress.size());
        assertTrue(progress.get(19).startsWith("ATT weighting, refitted: replicate 20/20"), progress.get(19));
        assertTrue(scratches.stream().noneMatch(Files::exists), "every scratch directory is gone");
        assertEquals(loadedBefore, ModelRuntime.loaded(), "each refitted model was unloaded when its handle closed");
        assertTrue(refitted.covers(trueAtt), refitted + " covers " + trueAtt);
        assertTrue(refitted.lower() < refitted.estimate() && refitted.estimate() < refitted.upper());
        df.unpersist();
    }

    @Test
    void aFailingOrNonFiniteReplicateStopsTheBootstrapAndSaysWhich() {
        Dataset<Row> rows = CausalFixture.read(spark);
        IllegalStateException nan = assertThrows(IllegalStateException.class, () -> Bootstrap.pipeline("x", rows, 20,
                1, null, (sample, scratch) -> Double.NaN));
        assertTrue(nan.getMessage().contains("returned NaN on the rows"), nan.getMessage());
        int[] calls = {0};
        IllegalStateException failed = assertThrows(IllegalStateException.class, () -> Bootstrap.pipeline("x", rows,
                20, 1, null, (sample, scratch) -> {
                    if (++calls[0] == 3) {
                        throw new java.io.IOException("disk full");
                    }
                    return 1;
                }));
        assertTrue(failed.getMessage().contains("replicate 2 of 20 (seed 2): disk full"), failed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Bootstrap.pipeline("x", rows, 5, 1, null, (s, d) -> 1));
        assertFalse(List.of(rows.columns()).contains(Bootstrap.DRAW_ID));
    }
}
