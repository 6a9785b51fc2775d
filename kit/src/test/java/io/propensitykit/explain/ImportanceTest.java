package io.propensitykit.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.plot.ExplainPlots;
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
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Permutation importance against the NumPy/SciPy reference of
 * {@code fixtures/explain/make_importance_fixture.py}: the same seeded permutations (Spark's Murmur3
 * hash, written out in Python), the AUC as the Mann-Whitney statistic on SciPy's ranks and the
 * clipped log loss, to 1e-9 per feature and repeat.
 */
class ImportanceTest extends SharedSpark {

    /** The reference's scorer, as a Spark expression. */
    private static final UnaryOperator<Dataset<Row>> LOGISTIC = d -> d.withColumn("p",
            functions.expr("1 / (1 + exp(-(1.5 * x1 - 0.8 * x2 + 0.2)))"));

    private static Dataset<Row> labelled;
    private static JsonObject reference;

    @BeforeAll
    static void fixture() throws Exception {
        Path dir = Path.of(ImportanceTest.class.getResource("/fixtures/explain/labelled.csv").toURI()).getParent();
        labelled = spark.read().option("header", "true").schema("x1 DOUBLE, x2 DOUBLE, x3 DOUBLE, label INT")
                .csv(dir.resolve("labelled.csv").toString());
        reference = JsonParser.parseString(Files.readString(dir.resolve("importance_reference.json")))
                .getAsJsonObject();
    }

    @Test
    void matchesNumPyPerFeatureAndRepeat() {
        ImportanceReport report = Importance.of(LOGISTIC, "p", labelled, "label").setFeatures("x1", "x2", "x3")
                .optRepeats(3).optSeed(42).compute();
        assertEquals(reference.get("auc").getAsDouble(), report.auc(), 1e-9);
        assertEquals(reference.get("logLoss").getAsDouble(), report.logLoss(), 1e-9);
        for (String name : List.of("x1", "x2", "x3")) {
            JsonObject ref = reference.getAsJsonObject("features").getAsJsonObject(name);
            ImportanceReport.Feature f = report.feature(name);
            JsonArray drops = ref.getAsJsonArray("aucDrops");
            JsonArray rises = ref.getAsJsonArray("logLossRises");
            for (int r = 0; r < 3; r++) {
                assertEquals(drops.get(r).getAsDouble(), f.aucDrops()[r], 1e-9, name + " repeat " + r);
                assertEquals(rises.get(r).getAsDouble(), f.logLossRises()[r], 1e-9, name + " repeat " + r);
            }
        }
        assertEquals(List.of("x1", "x2", "x3"), report.features().stream().map(ImportanceReport.Feature::feature).toList(),
                "the stronger coefficient first; x3 plays no part");
        assertEquals(0.0, report.feature("x3").aucDrop(), 0.0, "a column the score never reads");
        assertTrue(report.feature("x1").aucDropSd() > 0, "the repeats differ");
        assertEquals(3, report.table().rowCount());
        assertArrayEquals(new double[] {report.feature("x1").aucDrop(), report.feature("x2").aucDrop(), 0.0},
                ExplainPlots.importance(report).series().get(0).y(), 0.0);
    }

    @Test
    void aRerunWithTheSameSeedGivesTheSameNumbers() {
        ImportanceReport first = Importance.of(LOGISTIC, "p", labelled.repartition(3), "label").setFeatures("x1")
                .optRepeats(2).optSeed(7).compute();
        ImportanceReport second = Importance.of(LOGISTIC, "p", labelled.repartition(3), "label").setFeatures("x1")
                .optRepeats(2).optSeed(7).compute();
        assertEquals(first.feature("x1").aucDrops()[1], second.feature("x1").aucDrops()[1], 0.0);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Importance.of(LOGISTIC, "p", labelled, "label").setFeatures("x9").compute());
        assertTrue(missing.getMessage().startsWith("Permutation importance needs the features [x9]"),
                missing.getMessage());
    }

    /**
     * A kit model's importance on a small input is computed on the driver; the Spark path, taken by
     * lowering the threshold, is the independent computation it must equal: the same permutations
     * (Murmur3 in Spark against Murmur3 in Java), the same model, the same metrics.
     */
    @Test
    void theDriverPathEqualsTheSparkPath() {
        PropensityModel model = Propensity.load(spark, "classpath:models/retail_mlp.pt");
        Dataset<Row> customers = RetailGenerator.builder().optRows(3_000).optSeed(11).build().generate(spark);
        Importance onDriver = Importance.of(model, customers, "purchased").optRepeats(2).optSeed(9);
        Importance inSpark = Importance.of(model, customers, "purchased").optRepeats(2).optSeed(9);
        inSpark.driverRows = 0;
        ImportanceReport a = onDriver.compute();
        ImportanceReport b = inSpark.compute();
        assertEquals(b.auc(), a.auc(), 1e-12);
        assertEquals(b.logLoss(), a.logLoss(), 1e-12);
        for (ImportanceReport.Feature f : b.features()) {
            assertArrayEquals(f.aucDrops(), a.feature(f.feature()).aucDrops(), 1e-12, f.feature());
            assertArrayEquals(f.logLossRises(), a.feature(f.feature()).logLossRises(), 1e-12, f.feature());
        }
        assertTrue(a.feature("recency_days").aucDrop() > 0.01, a.table().print());
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class, () -> Importance.of(model,
                customers.withColumn("purchased", functions.lit("yes")), "purchased").compute());
        assertTrue(text.getMessage().startsWith("Column 'purchased' has type string"), text.getMessage());
        IllegalArgumentException nulls = assertThrows(IllegalArgumentException.class, () -> Importance.of(model,
                customers.withColumn("purchased", functions.lit(null).cast("int")), "purchased").compute());
        assertTrue(nulls.getMessage().startsWith("Column 'purchased' must be 0 or 1 in every row; 3000 rows are"
                + " null"), nulls.getMessage());
    }

    /**
     * The demo model on generated customers. By the generator's purchase logit, recency (a slope
     * worth up to about 4 and a two-week threshold) and spend (a tanh worth up to 1.6) are the
     * strongest drivers; channel and e-mail engagement act together (1.3 for engaged web
     * customers); past fashion purchases take no part at all.
     */
    @Test
    void theDemoModelRanksTheGeneratorsStrongestDriversFirst() {
        PropensityModel model = Propensity.load(spark, "classpath:models/retail_mlp.pt");
        Dataset<Row> customers = RetailGenerator.builder().optRows(12_000).optSeed(5).build().generate(spark);
        ImportanceReport report = Importance.of(model, customers, "purchased").optRepeats(2).compute();
        List<String> ranked = report.features().stream().map(ImportanceReport.Feature::feature).toList();
        assertEquals(Set.of("recency_days", "monetary"), Set.copyOf(ranked.subList(0, 2)), report.table().print());
        assertEquals(Set.of("channel", "email_open_rate"), Set.copyOf(ranked.subList(2, 4)), report.table().print());
        assertTrue(Math.abs(report.feature("past_fashion").aucDrop()) < 0.002, report.table().print());
        assertEquals(model.metadata().features().size(), ranked.size(), "every raw column of the model");
    }
}
