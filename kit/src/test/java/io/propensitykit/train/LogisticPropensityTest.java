package io.propensitykit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.causal.CausalFixture;
import io.propensitykit.model.FeatureSpec;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.spark.Propensity;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainer's logistic regression against an IRLS reference in NumPy
 * ({@code fixtures/causal/make_causal_fixture.py}), unpenalized and with an L2 penalty, at
 * training time and scored through the kit's loader and batched scorer.
 */
class LogisticPropensityTest extends SharedSpark {

    private static Dataset<Row> fixture;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void read() throws Exception {
        fixture = CausalFixture.read(spark).coalesce(1).cache();
    }

    @Test
    void unpenalizedAndPenalizedFitsMatchIrls() throws Exception {
        double[][] reference = {
            {0.32812376710166097, 0.8746669694830489, 0.42332314897732354},
            {0.3302619166873963, 0.86634636033142098, 0.42271067465014095},
        };
        double[] penalties = {0.0, 1.0};
        List<Object[]> firstRows = new ArrayList<>();
        for (Row r : fixture.select("x1", "x2").limit(3).collectAsList()) {
            firstRows.add(new Object[] {r.get(0), r.get(1)});
        }
        for (int k = 0; k < penalties.length; k++) {
            List<String> lines = new ArrayList<>();
            TrainedModel trained = PropensityTrainer.builder().setNumeric(List.of("x1", "x2")).setLabel("t")
                    .optLogistic(penalties[k]).optName("logit_" + k).optProgress(lines::add).build().fit(fixture);
            assertTrue(lines.get(lines.size() - 1).contains("converged in"), lines.toString());
            float[] atTraining = trained.predict(firstRows);
            PropensityModel model = Propensity.load(spark, trained.save(tmp.resolve("logit_" + k)).toString());
            List<Row> scored = Propensity.score(fixture, model).select("propensity").limit(3).collectAsList();
            for (int i = 0; i < 3; i++) {
                assertEquals(reference[k][i], atTraining[i], 1e-6, "L2 " + penalties[k] + ", row " + i + ", trained");
                assertEquals(reference[k][i], scored.get(i).getDouble(0), 1e-6, "L2 " + penalties[k] + ", row " + i
                        + ", scored by the kit");
            }
        }
    }

    @Test
    void specificationTermsMatchIrlsThroughTheKit() throws Exception {
        TrainedModel trained = PropensityTrainer.builder().setNumeric(List.of("x1", "x2")).setLabel("t")
                .optTerms(List.of(FeatureSpec.Term.power("x1", 2), FeatureSpec.Term.product("x1", "x2")))
                .optLogistic(0).optName("logit_terms").optProgress(line -> { }).build().fit(fixture);
        assertEquals(List.of("x1", "x2", "x1^2", "x1*x2"), trained.spec().encodedNames());
        assertEquals(List.of("x1", "x2"), trained.metadata().features(), "terms are computed, not read");
        PropensityModel model = Propensity.load(spark, trained.save(tmp.resolve("logit_terms")).toString());
        List<Row> scored = Propensity.score(fixture, model).select("propensity").limit(3).collectAsList();
        double[] reference = {0.34785675464770577, 0.85263686234268699, 0.4284457029953383};
        for (int i = 0; i < 3; i++) {
            assertEquals(reference[i], scored.get(i).getDouble(0), 1e-6, "row " + i);
        }
    }

    @Test
    void aCategoricalBesideTheInterceptFitsAsWithOneLevelLeftOut() {
        // A full one-hot of a categorical sums to the intercept: its aliased level is held at 0, as
        // R's glm does, so the fit equals the (separately tested) numeric fit on hand-made dummies
        // for the other levels.
        Dataset<Row> df = fixture.withColumn("g", org.apache.spark.sql.functions.expr(
                "CASE WHEN x2 < 0.5 THEN 'a' WHEN x2 < 1.5 THEN 'b' ELSE 'c' END"))
                .withColumn("gb", org.apache.spark.sql.functions.expr("CAST(g = 'b' AS DOUBLE)"))
                .withColumn("gc", org.apache.spark.sql.functions.expr("CAST(g = 'c' AS DOUBLE)"));
        List<String> lines = new ArrayList<>();
        TrainedModel categorical = PropensityTrainer.builder().setNumeric(List.of("x1")).setCategorical(List.of("g"))
                .setLabel("t").optLogistic(0).optName("logit_g").optProgress(lines::add).build().fit(df);
        assertTrue(lines.get(lines.size() - 1).contains("aliased, held at 0: "), lines.toString());
        TrainedModel dummies = PropensityTrainer.builder().setNumeric(List.of("x1", "gb", "gc")).setLabel("t")
                .optLogistic(0).optName("logit_dummies").optProgress(line -> { }).build().fit(df);
        List<Object[]> withLevel = new ArrayList<>();
        List<Object[]> withDummies = new ArrayList<>();
        for (Row r : df.select("x1", "g", "gb", "gc").collectAsList()) {
            withLevel.add(new Object[] {r.get(0), r.get(1)});
            withDummies.add(new Object[] {r.get(0), r.get(2), r.get(3)});
        }
        float[] a = categorical.predict(withLevel);
        float[] b = dummies.predict(withDummies);
        for (int i = 0; i < a.length; i++) {
            assertEquals(b[i], a[i], 1e-6, "row " + i);
        }
    }
}
