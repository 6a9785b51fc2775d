package io.propensitykit.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.display.Display;

import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.functions;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Overlap, weights, effective sample size, balance and effect estimates against NumPy references
 * printed by {@code fixtures/causal/make_causal_fixture.py}, then on generated data whose true
 * average effect is known.
 */
class CausalTest extends SharedSpark {

    private static final double TOL = 1e-9;
    private static Dataset<Row> fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = CausalFixture.read(spark).cache();
    }

    @Test
    void aMissingRequiredSettingIsNamedWithTheCallThatSetsIt() {
        IllegalStateException effects = assertThrows(IllegalStateException.class,
                () -> Effects.on(fixture).setOutcome("y").ipw("e"));
        assertEquals("Name the treatment column first, for example setTreatment(\"treated\").", effects.getMessage());
        IllegalStateException matching = assertThrows(IllegalStateException.class,
                () -> Matching.on(fixture).setScore("e").setTreatment("t").compute());
        assertTrue(matching.getMessage().contains("setId(\"customer_id\")"), matching.getMessage());
        IllegalStateException strata = assertThrows(IllegalStateException.class,
                () -> Stratification.on(fixture).setScore("e").setTreatment("t").optBalanced().optEdges(0.5).compute());
        assertTrue(strata.getMessage().contains("optBalanced() finds its own edges"), strata.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Effects.on(fixture).optReplicates(5));
    }

    @Test
    void overlapWeightsAndBalanceMatchNumPy() {
        Overlap o = Overlap.of(fixture, "e", "t");
        assertEquals(0.0033333333333333335, o.outside05(), TOL);
        assertEquals(0.023333333333333334, o.outside10(), TOL);
        assertEquals(112, o.treated().n());
        assertEquals(0.083400000000000002, o.treated().min(), TOL);
        assertEquals(0.87390000000000001, o.treated().max(), TOL);
        assertEquals(0.55832053571428575, o.treated().mean(), TOL);
        // 1 of 300 rows lies outside [0.05, 0.95] and 7 outside [0.1, 0.9] (the shares above).
        assertEquals(299, Overlap.trim(fixture, "e", 0.05, 0.95).count());
        assertEquals(293, Overlap.trim(fixture, "e", 0.1, 0.9).count());

        Dataset<Row> weighted = Weights.on(fixture).setScore("e").setTreatment("t").optOutputCol("w").add();
        Weights.Ess ess = Weights.effectiveSampleSize(weighted, "w", "t");
        assertEquals(84.383070461485005, ess.treated(), TOL);
        assertEquals(162.89686935397643, ess.control(), TOL);

        Balance b = Balance.of(weighted, "t", List.of("x1", "x2"), "w");
        assertEquals(1.0790741083423709, b.rows().get(0).smdBefore(), TOL);
        assertEquals(0.5579288311124887, b.rows().get(0).smdAfter(), TOL);
        assertEquals(0.765388650012366, b.rows().get(0).varianceRatioBefore(), TOL);
        assertEquals(0.81669610653157831, b.rows().get(0).varianceRatioAfter(), TOL);
        assertEquals(-0.19634033573297355, b.rows().get(1).smdBefore(), TOL);
        assertEquals(0.29490729693246104, b.rows().get(1).smdAfter(), TOL);
        assertEquals(1.0197419045003022, b.rows().get(1).varianceRatioBefore(), TOL);
        assertEquals(2.4263034985995637, b.rows().get(1).varianceRatioAfter(), TOL);
        assertTrue(b.rows().get(0).flagged() && b.rows().get(1).flagged());
        assertTrue(Display.table(b.table()).contains("x1\t1.0791\t0.5579"), Display.table(b.table()));
        assertEquals("Balance[2 covariates, 2 flagged, largest |SMD| after 0.5579]", b.toString());

        // Hajek normalization: each arm's weights sum to its size, and the IPW estimate is unchanged.
        Row sums = Weights.normalize(weighted, "w", "t", "wn").groupBy("t").sum("wn").orderBy("t").collectAsList()
                .get(1);
        assertEquals(112, sums.getDouble(1), 1e-9);
    }

    @Test
    void effectPointEstimatesMatchNumPy() {
        assertEquals(0.26633738601823709, Effects.naive(fixture, "t", "y", 50, 1).estimate(), TOL);
        Effects ate = Effects.on(fixture).setTreatment("t").setOutcome("y").optReplicates(50).optSeed(1);
        assertEquals(0.25790698657589728, ate.ipw("e").estimate(), TOL);
        assertEquals(0.17908059268816526, ate.aipw("e", "m1", "m0").estimate(), TOL);
        Effects.Estimate a = ate.optReplicates(100).optSeed(5).ipw("e");
        Effects.Estimate again = ate.ipw("e");
        assertEquals(a, again, "the seed fixes the bootstrap");
        assertTrue(a.lower() < a.estimate() && a.estimate() < a.upper());
    }

    @Test
    void everyEstimandMatchesNumPy() {
        // IPW, AIPW and regression adjustment for the ATE, ATT and ATC, from make_causal_fixture.py.
        double[][] reference = {
            {0.25790698657589728, 0.24111233725943126, 0.27133780794292195},
            {0.17908059268816526, 0.19128720126519147, 0.17918330484898209},
            {0.11077500000000001, 0.11557857142857142, 0.10791329787234043},
        };
        Estimand[] estimands = {Estimand.ATE, Estimand.ATT, Estimand.ATC};
        for (int k = 0; k < estimands.length; k++) {
            Estimand est = estimands[k];
            Effects effects = Effects.on(fixture).setTreatment("t").setOutcome("y").optEstimand(est).optReplicates(50)
                    .optSeed(1);
            assertEquals(reference[0][k], effects.ipw("e").estimate(), TOL, "ipw " + est);
            assertEquals(reference[1][k], effects.aipw("e", "m1", "m0").estimate(), TOL, "aipw " + est);
            assertEquals(reference[2][k], effects.regression("m1", "m0").estimate(), TOL,
                    "regression " + est);
        }
        assertEquals("ipw (ATT)", Effects.ipw(fixture, "e", "t", "y", Estimand.ATT, 50, 1).method());
    }

    @Test
    void stratificationMatchesNumPy() {
        // Five strata on e, edges at the kit's quantiles of the treated's (ATT) or everyone's (ATE) scores.
        Stratification att = Stratification.of(fixture, "e", "t", Estimand.ATT, 5);
        assertEquals(List.of(23L, 22L, 23L, 22L, 22L), att.strata().stream().map(Stratification.Stratum::treated)
                .toList());
        assertEquals(List.of(108L, 40L, 22L, 13L, 5L), att.strata().stream().map(Stratification.Stratum::controls)
                .toList());
        assertEquals(0.18732228419728419, att.effect("y", 50, 1).estimate(), TOL);
        Stratification ate = Stratification.of(fixture, "e", "t", Estimand.ATE, 5);
        assertEquals(List.of(6L, 14L, 22L, 28L, 42L), ate.strata().stream().map(Stratification.Stratum::treated)
                .toList());
        assertEquals(0.2410265480345572, ate.effect("y", 50, 1).estimate(), TOL);
        assertEquals("stratification (ATT)", att.effect("y", 50, 1).method());
        // The implied weights reproduce the estimate as a weighted difference in means.
        Dataset<Row> w = att.weighted("w");
        double treated = w.where("t = 1").agg(org.apache.spark.sql.functions.avg("y")).first().getDouble(0);
        Row c = w.where("t = 0").agg(org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.expr("w * y")),
                org.apache.spark.sql.functions.sum("w")).first();
        assertEquals(0.18732228419728419, treated - c.getDouble(0) / c.getDouble(1), TOL);
        assertEquals(5 * 2, att.withinStrata(List.of("x1", "x2")).rowCount());
        assertTrue(att.balance(List.of("x1")).rows().get(0).smdAfter() < att.balance(List.of("x1")).rows().get(0)
                .smdBefore(), "stratification improves x1's balance");
    }

    @Test
    void dehejiaWahbaStrataSplitUntilBalancedAsNumPyDoes() {
        // From 2 equal-width strata on [0, 1], halved while the score differs (|t| > 1.96).
        Stratification s = Stratification.balanced(fixture, "e", "t", Estimand.ATT, 2);
        assertEquals(7, s.strata().size());
        assertEquals(0.2515256427246223, s.effect("y", 50, 1).estimate(), TOL);
        // Common support: the rows within the treated's score range, [0.0834, 0.8739] here.
        assertEquals(fixture.where("e >= 0.0834 AND e <= 0.8739").count(),
                Overlap.commonSupport(fixture, "e", "t").count());
    }

    @Test
    void strataWithoutBothArmsAreDroppedAndCounted() {
        // Scores that put every control in the lowest stratum: the upper strata have no controls.
        Dataset<Row> lopsided = fixture.withColumn("e", org.apache.spark.sql.functions.expr(
                "CASE WHEN t = 1 THEN 0.5 + e / 4 ELSE e / 4 END"));
        Stratification s = Stratification.of(lopsided, "e", "t", Estimand.ATT, 4);
        assertTrue(s.strata().stream().anyMatch(st -> !st.kept()), s.table().printAll());
        long[] dropped = s.droppedRows();
        assertEquals(s.strata().stream().filter(st -> !st.kept()).mapToLong(Stratification.Stratum::treated).sum(),
                dropped[0]);
        assertTrue(Display.table(s.table()).contains("no: dropped"));
        assertTrue(s.toString().matches("Stratification\\[4 strata, [1-3] dropped, ATT\\]"), s.toString());
    }

    @Test
    void ipwAndAipwCoverTheTrueEffectWhileTheNaiveDifferenceDoesNot() {
        Dataset<Row> df = RetailGenerator.builder().optRows(200_000).optSeed(17).optConfounding(1.5)
                .optEffectSize(0.4).build().generate(spark).na().fill(0.3, new String[] {"email_open_rate"}).cache();
        double trueAte = df.agg(org.apache.spark.sql.functions.avg("true_effect")).first().getDouble(0);
        // Outcome models for AIPW: one logistic regression per arm on the raw numeric features.
        String[] features = {"tenure_months", "recency_days", "frequency", "monetary", "email_open_rate",
            "past_electronics", "past_fashion", "past_home"};
        Dataset<Row> x = new VectorAssembler().setInputCols(features).setOutputCol("features").transform(df);
        LogisticRegressionModel arm1 = new LogisticRegression().setLabelCol("purchased").setMaxIter(50)
                .fit(x.where("treated = 1").withColumn("purchased", x.col("purchased").cast("double")));
        LogisticRegressionModel arm0 = new LogisticRegression().setLabelCol("purchased").setMaxIter(50)
                .fit(x.where("treated = 0").withColumn("purchased", x.col("purchased").cast("double")));
        Dataset<Row> withMu = arm0.setProbabilityCol("p0").setPredictionCol("pred0").setRawPredictionCol("raw0")
                .transform(arm1.setProbabilityCol("p1").setPredictionCol("pred1").setRawPredictionCol("raw1")
                        .transform(x))
                .withColumn("mu1", functions.vector_to_array(org.apache.spark.sql.functions.col("p1"), "float64")
                        .getItem(1))
                .withColumn("mu0", functions.vector_to_array(org.apache.spark.sql.functions.col("p0"), "float64")
                        .getItem(1));
        Effects.Estimate naive = Effects.naive(df, "treated", "purchased", 200, 11);
        Effects.Estimate ipw = Effects.on(df).setTreatment("treated").setOutcome("purchased").optReplicates(200)
                .optSeed(11).ipw("true_treatment_propensity");
        Effects.Estimate aipw = Effects.on(withMu).setTreatment("treated").setOutcome("purchased").optReplicates(200)
                .optSeed(11).aipw("true_treatment_propensity", "mu1", "mu0");
        System.out.printf("true ATE %.4f; naive %.4f [%.4f, %.4f]; IPW %.4f [%.4f, %.4f]; AIPW %.4f [%.4f, %.4f]%n",
                trueAte, naive.estimate(), naive.lower(), naive.upper(), ipw.estimate(), ipw.lower(), ipw.upper(),
                aipw.estimate(), aipw.lower(), aipw.upper());
        assertTrue(ipw.covers(trueAte), "IPW " + ipw + " covers " + trueAte);
        assertTrue(aipw.covers(trueAte), "AIPW " + aipw + " covers " + trueAte);
        assertFalse(naive.covers(trueAte), "the naive difference " + naive + " misses " + trueAte);
        tech.tablesaw.api.Table table = Effects.table(naive, ipw, aipw);
        assertEquals(List.of("naive", "ipw", "aipw"), table.stringColumn("method").asList());
        assertTrue(Display.table(table).startsWith("%table method\testimate\t95% CI lower"));
        assertEquals(String.format(java.util.Locale.ROOT, "Estimate[ipw %.4f, 95%% CI %.4f to %.4f]", ipw.estimate(),
                ipw.lower(), ipw.upper()), ipw.toString());
        df.unpersist();
    }

    @Test
    void attEstimatesCoverTheTrueEffectOnTheTreated() {
        // Generated customers whose campaign targeting and effect are known: the true ATT is the mean
        // true effect over the targeted customers.
        Dataset<Row> df = RetailGenerator.builder().optRows(1_000_000).optSeed(23).optConfounding(1.5)
                .optEffectSize(0.4).build().generate(spark).cache();
        double trueAtt = df.where("treated = 1").agg(org.apache.spark.sql.functions.avg("true_effect")).first()
                .getDouble(0);
        double trueAte = df.agg(org.apache.spark.sql.functions.avg("true_effect")).first().getDouble(0);
        Effects.Estimate ipw = Effects.ipw(df, "true_treatment_propensity", "treated", "purchased", Estimand.ATT, 200,
                3);
        Effects.Estimate strata = Stratification.of(df, "true_treatment_propensity", "treated", Estimand.ATT, 20)
                .effect("purchased", 200, 3);
        Effects.Estimate naive = Effects.naive(df, "treated", "purchased", 200, 3);
        System.out.printf("true ATT %.4f (ATE %.4f); IPW %.4f [%.4f, %.4f]; strata %.4f [%.4f, %.4f]; naive %.4f%n",
                trueAtt, trueAte, ipw.estimate(), ipw.lower(), ipw.upper(), strata.estimate(), strata.lower(),
                strata.upper(), naive.estimate());
        assertTrue(ipw.covers(trueAtt), "ATT weighting " + ipw + " covers " + trueAtt);
        assertTrue(strata.covers(trueAtt), "stratification " + strata + " covers " + trueAtt);
        assertFalse(naive.covers(trueAtt), "the naive difference " + naive + " misses " + trueAtt);
        df.unpersist();
    }

    @Test
    void specificationsAreRankedByTheBalanceTheyLeave() {
        // The fixture's own score against one that ignores x1 (a function of x2 alone).
        Dataset<Row> scored = fixture.withColumn("e_x2", org.apache.spark.sql.functions.expr(
                "1 / (1 + exp(0.5 * x2 - 0.2))"));
        List<Specifications.Result> ranked = Specifications.compare(scored, "t", List.of("x1", "x2"), Estimand.ATE,
                new java.util.LinkedHashMap<>(java.util.Map.of("x2 only", "e_x2", "true score", "e")));
        assertEquals(List.of("true score", "x2 only"), ranked.stream().map(Specifications.Result::name).toList());
        // The true score's figures are the balance table's (NumPy: x1 0.5579 and x2 0.2949 after ATE weights).
        Specifications.Result best = ranked.get(0);
        assertEquals(0.5579288311124887, best.maxAbsSmd(), TOL);
        assertEquals(2.4263034985995637, best.worstVarianceRatio(), TOL);
        assertEquals(84.383070461485005, best.ess().treated(), TOL);
        assertTrue(Display.table(Specifications.table(ranked)).contains("true score\t0.558"));
    }

    @Test
    void matchingWithReplacementMatchesNumPy() {
        Dataset<Row> withId = fixture.withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id());
        // One partition read in file order: ids are the row numbers NumPy uses.
        assertEquals(299, withId.agg(org.apache.spark.sql.functions.max("id")).first().getLong(0));
        Matching.Result m = Matching.on(withId).setId("id").setScore("e").setTreatment("t")
                .optWithReplacement().optSeed(3).compute();
        assertEquals(0.1868228693980073, m.caliper(), TOL);
        assertEquals(111, m.pairs().size());
        assertEquals(112, m.treated());
        assertEquals(1, m.unmatched());
        assertEquals(0.16216216216216217, m.att("y", 100).estimate(), TOL);
        double[] diff = m.differences("y");
        assertEquals(111, diff.length);
        Sensitivity.Rosenbaum r = m.sensitivity("y", 0.05);
        assertEquals(java.util.Arrays.stream(diff).filter(v -> v != 0).count(), r.pairs());
        assertEquals(java.util.Arrays.stream(diff).filter(v -> v > 0).count(), r.positive());
    }

    /** k neighbours on the logit, and Mahalanobis on x1, x2 within the caliper: make_matching_fixture.py (NumPy). */
    @Test
    void kNeighbourAndCovariateMatchingMatchNumPy() {
        Dataset<Row> withId = fixture.withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id());
        Matching.Result three = Matching.on(withId).setId("id").setScore("e").setTreatment("t")
                .optNeighbours(3).optWithReplacement().compute();
        assertEquals(320, three.pairs().size());
        assertEquals(1, three.unmatched());
        assertEquals(0.18918918918918923, three.att("y", 100).estimate(), TOL);
        assertEquals("matching (3 neighbours)", three.att("y", 100).method());
        double controlWeight = three.matched().where("t = 0").agg(org.apache.spark.sql.functions.sum("match_weight"))
                .first().getDouble(0);
        assertEquals(111, controlWeight, 1e-9, "each matched treated row's controls weigh 1 in all");
        IllegalStateException pairsOnly = assertThrows(IllegalStateException.class, () -> three.differences("y"));
        assertTrue(pairsOnly.getMessage().contains("optNeighbours(1)"), pairsOnly.getMessage());

        Matching.Result onCovariates = Matching.on(withId).setId("id").setScore("e").setTreatment("t")
                .optCovariates("x1", "x2").optNeighbours(2)
                .optWithReplacement().compute();
        assertEquals(218, onCovariates.pairs().size());
        assertEquals(0.21621621621621623, onCovariates.att("y", 100).estimate(), TOL);
    }

    @Test
    void matchingWithoutReplacementTakesEachControlOnceEvenWithNeighboursAndCovariates() {
        Dataset<Row> withId = fixture.withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id());
        Matching.Result m = Matching.on(withId).setId("id").setScore("e").setTreatment("t")
                .optCovariates("x1", "x2").optNeighbours(2).optSeed(5).compute();
        java.util.Set<Long> controls = new java.util.HashSet<>();
        for (long[] pair : m.pairs()) {
            assertTrue(controls.add(pair[1]), "control " + pair[1] + " used twice");
        }
        assertTrue(m.pairs().size() > m.treated() - m.unmatched(), "some treated rows took two controls");
        Dataset<Row> constant = withId.withColumn("x3", org.apache.spark.sql.functions.expr("2 * x1"));
        IllegalArgumentException collinear = assertThrows(IllegalArgumentException.class,
                () -> Matching.on(constant).setId("id").setScore("e").setTreatment("t")
                        .optCovariates("x1", "x3").compute());
        assertTrue(collinear.getMessage().contains("collinear"), collinear.getMessage());
    }

    @Test
    void matchingWithoutReplacementUsesEachControlOnceAndImprovesBalance() {
        Dataset<Row> withId = fixture.withColumn("id", org.apache.spark.sql.functions.monotonically_increasing_id());
        Matching.Result m = Matching.on(withId).setId("id").setScore("e").setTreatment("t").optSeed(3).compute();
        java.util.Set<Long> controls = new java.util.HashSet<>();
        for (long[] pair : m.pairs()) {
            assertTrue(controls.add(pair[1]), "control " + pair[1] + " used twice");
        }
        Balance before = Balance.of(withId, "t", List.of("x1"), null);
        Balance after = Balance.of(m.matched(), "t", List.of("x1"), "match_weight");
        assertTrue(Math.abs(after.rows().get(0).smdAfter()) < Math.abs(before.rows().get(0).smdBefore()),
                "matching improves x1's balance: " + before.rows().get(0) + " -> " + after.rows().get(0));
        assertEquals(m.pairs().size() * 2L, m.matched().count());
        assertEquals(m.pairs().stream().map(java.util.Arrays::toString).toList(),
                Matching.on(withId).setId("id").setScore("e").setTreatment("t").optSeed(3).compute().pairs().stream()
                        .map(java.util.Arrays::toString).toList(), "the seed fixes the matching order");
    }

    /** Uplift, Qini and uplift-curve values by decile of m1 - m0, from make_causal_fixture.py (NumPy). */
    private static final double[][] UPLIFT = {
        {0.17857142857142855, 3.75, 5.1785714285714279},
        {0.37980769230769229, 8.0833333333333339, 13.78921568627451},
        {0.20634920634920639, 11.473684210526315, 19.858299595141702},
        {0.34920634920634924, 14.1864406779661, 27.907752153375938},
        {0.29999999999999999, 18.037974683544302, 38.108397218755577},
        {0.12019230769230771, 19.821052631578947, 42.237719298245615},
        {0.10087719298245618, 21.157894736842103, 46.282894736842103},
        {-0.019230769230769218, 22.142857142857146, 53.142857142857153},
        {0.49689440993788825, 26.521472392638039, 66.923341551516515},
        {0.28000000000000003, 29.829787234042556, 79.901215805471125},
    };

    @Test
    void upliftByDecileMatchesNumPyOnBothPaths() {
        Dataset<Row> scored = fixture.withColumn("u", org.apache.spark.sql.functions.expr("m1 - m0"));
        Uplift sparkNative = Uplift.of(scored, "u", "t", "y");
        List<Row> rows = scored.select("u", "t", "y").collectAsList();
        double[] u = new double[rows.size()];
        boolean[] t = new boolean[rows.size()];
        double[] y = new double[rows.size()];
        for (int i = 0; i < u.length; i++) {
            u[i] = rows.get(i).getDouble(0);
            t[i] = rows.get(i).getInt(1) == 1;
            y[i] = rows.get(i).getInt(2);
        }
        Uplift exact = Uplift.of(u, t, y);
        for (Uplift up : List.of(sparkNative, exact)) {
            for (int d = 0; d < 10; d++) {
                assertEquals(UPLIFT[d][0], up.deciles().get(d).uplift(), TOL, "uplift of decile " + (d + 1));
                assertEquals(UPLIFT[d][1], up.qini()[d + 1], TOL, "Qini after decile " + (d + 1));
                assertEquals(UPLIFT[d][2], up.upliftCurve()[d + 1], TOL, "uplift curve after decile " + (d + 1));
            }
            assertEquals(0.0037949480954076152, up.qiniCoefficient(), TOL);
        }
    }

    @Test
    void propensitiesAtZeroOrOneAreRefused() {
        Dataset<Row> bad = fixture.withColumn("e", org.apache.spark.sql.functions.lit(1.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Effects.on(bad).setTreatment("t").setOutcome("y").optReplicates(50).ipw("e"));
        assertEquals("300 rows have 'e' outside (0, 1); trim them first (Overlap.trim).", e.getMessage());
    }
}
