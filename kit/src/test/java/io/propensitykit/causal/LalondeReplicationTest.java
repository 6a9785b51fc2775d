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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

/**
 * Dehejia and Wahba (1999) on LaLonde's NSW men, read from the data directory ({@code KIT_DATA_DIR}) when present:
 * the 185 trained men against the PSID-1 and CPS-1 survey groups, a logistic propensity with
 * their specification, trimmed to the treated's common support, then the effect on the treated by
 * stratification (their rule) and by ATT weighting. The experiment's answer is +$1,794; both must
 * land within $700 of it, and the naive comparison must not.
 */
class LalondeReplicationTest extends SharedSpark {

    private static final double EXPERIMENT = 1794;
    private static final double TOLERANCE = 700;

    @TempDir
    static Path tmp;

    @ParameterizedTest
    @EnumSource(value = PublicDatasets.Comparison.class, names = {"PSID", "CPS"})
    void attByStratificationAndWeightingComeWithin700DollarsOfTheExperiment(PublicDatasets.Comparison comparison)
            throws Exception {
        PublicDatasets data = SharedDatasets.require(PublicDataset.NSW_TREATED, comparison.dataset());
        Dataset<Row> df = data.lalonde(spark, comparison).cache();
        PropensityModel model = Propensity.load(spark, PropensityTrainer.builder()
                .setNumeric(PublicDatasets.LALONDE_COVARIATES)
                .optTerms(PublicDatasets.dehejiaWahbaTerms(comparison)).setLabel("treat").optLogistic(0).optName("dw_" + comparison)
                .optProgress(line -> { }).build().fit(df).save(tmp.resolve("dw_" + comparison)).toString());
        Dataset<Row> scored = Propensity.scorer(model).optOutputCol("p").build().transform(df).cache();
        Dataset<Row> support = Overlap.commonSupport(scored, "p", "treat");

        Effects.Estimate naive = Effects.naive(df, "treat", "re78", 50, 1);
        Effects.Estimate strata = Stratification.balanced(support, "p", "treat", Estimand.ATT, 5)
                .effect("re78", 50, 1);
        Effects.Estimate weighting = Effects.ipw(support, "p", "treat", "re78", Estimand.ATT, 50, 1);
        System.out.printf("NSW vs %s: naive %.0f, stratification %.0f, ATT weighting %.0f (experiment %.0f)%n",
                comparison, naive.estimate(), strata.estimate(), weighting.estimate(), EXPERIMENT);
        assertFalse(Math.abs(naive.estimate() - EXPERIMENT) <= TOLERANCE, "naive " + naive);
        assertTrue(Math.abs(strata.estimate() - EXPERIMENT) <= TOLERANCE, "stratification " + strata);
        assertTrue(Math.abs(weighting.estimate() - EXPERIMENT) <= TOLERANCE, "ATT weighting " + weighting);
    }
}
