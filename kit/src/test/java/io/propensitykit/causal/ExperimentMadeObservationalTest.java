package io.propensitykit.causal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.PublicDataset;
import io.propensitykit.data.PublicDatasets;
import io.propensitykit.data.SharedDatasets;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.spark.Propensity;
import io.propensitykit.train.PropensityTrainer;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/**
 * Hillstrom's randomized e-mail test made observational: controls are kept with a probability
 * that depends on their purchase history and recency, so the naive comparison of visit rates is
 * biased; a propensity model of the observed covariates and ATT weighting must give back the
 * experiment's effect. Reads the data directory ({@code KIT_DATA_DIR}), skipped when absent.
 */
class ExperimentMadeObservationalTest extends SharedSpark {

    @TempDir
    static Path tmp;

    @Test
    void attWeightingGivesBackTheExperimentsEffect() throws Exception {
        PublicDatasets data = SharedDatasets.require(PublicDataset.HILLSTROM);
        Dataset<Row> all = data.hillstrom(spark)
                .withColumn("emailed", functions.col("segment").notEqual("No E-Mail").cast("int"))
                .coalesce(1).cache();
        // The experiment: e-mails were randomized, so the difference in visit rates is the effect.
        Effects.Estimate experiment = Effects.naive(all, "emailed", "visit", 200, 1);

        // Keep every e-mailed customer, and a control with a probability that rises with log spend and
        // falls with recency: the kept controls visit more than the controls at large.
        Dataset<Row> observational = all.where(functions.col("emailed").equalTo(1).or(functions.rand(11)
                .lt(functions.expr("1 / (1 + exp(-(-2.5 + 0.6 * log1p(history) - 0.15 * recency)))"))))
                .cache();
        Effects.Estimate naive = Effects.naive(observational, "emailed", "visit", 200, 1);

        PropensityModel model = Propensity.load(spark, PropensityTrainer.builder()
                .setNumeric(List.of("recency", "history", "mens", "womens", "newbie"))
                .optLogTransform(List.of("history")).setLabel("emailed").optLogistic(0).optName("hillstrom_selection")
                .optProgress(line -> { }).build().fit(observational).save(tmp.resolve("selection")).toString());
        Dataset<Row> scored = Propensity.scorer(model).optOutputCol("p").build().transform(observational);
        Effects.Estimate att = Effects.ipw(scored, "p", "emailed", "visit", Estimand.ATT, 200, 1);
        System.out.printf("experiment %.4f [%.4f, %.4f]; observational naive %.4f; ATT weighting %.4f [%.4f, %.4f]%n",
                experiment.estimate(), experiment.lower(), experiment.upper(), naive.estimate(), att.estimate(),
                att.lower(), att.upper());
        assertFalse(experiment.covers(naive.estimate()), "the selection biases the naive comparison: " + naive);
        assertTrue(att.covers(experiment.estimate()), "ATT weighting " + att + " covers the experiment's "
                + experiment.estimate());
    }
}
