package io.propensitykit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.model.Fixtures;
import io.propensitykit.model.ModelRuntime;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Both fixture models through the three Spark paths (batched, SQL UDF, Transformer), against
 * outputs recorded independently: torch in Python for TorchScript, a plain-Java forward pass for DJL.
 */
class ScoringTest extends SharedSpark {

    private static final double TOL = 1e-5;
    private static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.IntegerType, false)
            .add("recency", DataTypes.DoubleType)
            .add("frequency", DataTypes.DoubleType)
            .add("monetary", DataTypes.DoubleType)
            .add("tenure", DataTypes.DoubleType)
            .add("expected", DataTypes.DoubleType);

    @TempDir
    static Path tmp;

    private static PropensityModel torchScript;
    private static PropensityModel djl;
    private static Dataset<Row> customers;
    private static Map<Integer, Double> djlExpected;

    @BeforeAll
    static void fixtures() throws IOException {
        torchScript = Propensity.load(spark, Fixtures.torchScript().toString());
        Path djlDir = tmp.resolve("tiny_djl");
        List<float[][]> layers = Fixtures.saveDjlModel(djlDir);
        djl = Propensity.load(spark, djlDir.toString());
        List<Row> rows = new ArrayList<>();
        djlExpected = new HashMap<>();
        List<double[]> expected = Fixtures.expectedRows();
        for (int i = 0; i < expected.size(); i++) {
            double[] r = expected.get(i);
            rows.add(RowFactory.create(i, r[0], r[1], r[2], r[3], r[4]));
            djlExpected.put(i, Fixtures.referenceForward(layers, java.util.Arrays.copyOf(r, 4)));
        }
        // Three partitions and (below) batches of 7 rows: full batches, a partial last one, several tasks.
        customers = spark.createDataFrame(rows, SCHEMA).repartition(3);
        customers.createOrReplaceTempView("customers");
    }

    private static void assertTorchScores(Dataset<Row> scored, String col) {
        List<Row> rows = scored.select("id", "expected", col).collectAsList();
        assertEquals(64, rows.size());
        for (Row r : rows) {
            assertEquals(r.getDouble(1), r.getDouble(2), TOL, "id " + r.getInt(0));
        }
    }

    private static void assertDjlScores(Dataset<Row> scored, String col) {
        List<Row> rows = scored.select("id", col).collectAsList();
        assertEquals(64, rows.size());
        for (Row r : rows) {
            assertEquals(djlExpected.get(r.getInt(0)), r.getDouble(1), TOL, "id " + r.getInt(0));
        }
    }

    @Test
    void theBuilderAndThePipelineSettersRefuseABadSettingAlike() {
        // The builder sets the Params through the setters, so one check answers both ways in.
        for (Runnable bad : List.<Runnable>of(() -> Propensity.scorer(torchScript).optOutputCol(" "),
                () -> new PropensityScorer().setOutputCol(" "))) {
            assertEquals("outputCol must be a non-empty column name",
                    assertThrows(IllegalArgumentException.class, bad::run).getMessage());
        }
        for (Runnable bad : List.<Runnable>of(() -> Propensity.scorer(torchScript).optBatchSize(0),
                () -> new PropensityScorer().setBatchSize(0))) {
            assertEquals("batchSize must be positive, found 0",
                    assertThrows(IllegalArgumentException.class, bad::run).getMessage());
        }
        for (Runnable bad : List.<Runnable>of(() -> Propensity.scorer(torchScript).optHandleInvalid("drop"),
                () -> new PropensityScorer().setHandleInvalid("drop"))) {
            assertTrue(assertThrows(IllegalArgumentException.class, bad::run).getMessage()
                    .startsWith("handleInvalid is 'drop'"));
        }
        PropensityScorer both = new PropensityScorer().setModelPath("unused.pt").setInputCols(new String[] {"a"})
                .setFeaturesCol("features");
        assertEquals("Set either inputCols or featuresCol, not both",
                assertThrows(IllegalArgumentException.class, () -> both.transform(customers)).getMessage());
        assertEquals("Set either inputCols or featuresCol, not both", assertThrows(IllegalArgumentException.class,
                () -> Propensity.scorer(torchScript).optInputCols(List.of("a")).optFeaturesCol("f").build())
                .getMessage());
    }

    @Test
    void batchedTorchScript() {
        Dataset<Row> scored = Propensity.scorer(torchScript).optBatchSize(7).build().transform(customers);
        assertEquals(List.of("id", "recency", "frequency", "monetary", "tenure", "expected", "propensity"),
                List.of(scored.columns()));
        assertFalse(scored.schema().apply("propensity").nullable());
        assertTorchScores(scored, "propensity");
        assertTorchScores(Propensity.score(customers, torchScript), "propensity");
    }

    @Test
    void batchedDjl() {
        assertDjlScores(Propensity.scorer(djl).optBatchSize(7).build().transform(customers), "propensity");
    }

    @Test
    void twoModelsChainedInOneQueryKeepTheirOwnBuffers() {
        // Both scorers run in the same task thread, the second pulling rows through the first.
        Propensity.register(spark, "tiny_chained", torchScript);
        Dataset<Row> withUdf = customers.selectExpr("*",
                "tiny_chained(recency, frequency, monetary, tenure) AS p_udf");
        Dataset<Row> both = Propensity.scorer(djl).optOutputCol("p_djl").optBatchSize(5).build().transform(
                Propensity.scorer(torchScript).optOutputCol("p_torch").optBatchSize(7).build().transform(withUdf));
        assertTorchScores(both, "p_torch");
        assertTorchScores(both, "p_udf");
        assertDjlScores(both, "p_djl");
    }

    @Test
    void columnsAreFoundByNameNotPosition() {
        Dataset<Row> shuffled = customers.select("tenure", "expected", "monetary", "id", "recency", "frequency");
        assertTorchScores(Propensity.score(shuffled, torchScript), "propensity");
    }

    @Test
    void arrayColumnAndRenamedColumns() {
        Dataset<Row> arrays = customers.selectExpr("id", "expected",
                "array(recency, frequency, monetary, tenure) AS f", "recency AS r", "frequency AS fr",
                "monetary AS m", "tenure AS t");
        assertTorchScores(Propensity.scorer(torchScript).optFeaturesCol("f").optBatchSize(5).build().transform(arrays),
                "propensity");
        assertTorchScores(Propensity.scorer(torchScript).optInputCols(List.of("r", "fr", "m", "t"))
                .optOutputCol("p").build().transform(arrays), "p");
    }

    @Test
    void sqlFunction() {
        Propensity.register(spark, "tiny", torchScript);
        Propensity.register(spark, "tiny_djl", djl);
        assertTorchScores(spark.sql("SELECT id, expected, tiny(recency, frequency, monetary, tenure) AS p"
                + " FROM customers"), "p");
        assertTorchScores(spark.sql("SELECT id, expected, tiny(array(recency, frequency, monetary, tenure)) AS p"
                + " FROM customers"), "p");
        assertTorchScores(spark.sql("SELECT id, expected, tiny(struct(*)) AS p FROM customers"), "p");
        assertDjlScores(spark.sql("SELECT id, tiny_djl(recency, frequency, monetary, tenure) AS p FROM customers"),
                "p");
    }

    @Test
    void sqlFunctionChecksArgumentsOnTheDriver() {
        Propensity.register(spark, "tiny", torchScript);
        Exception swapped = assertThrows(Exception.class,
                () -> spark.sql("SELECT tiny(frequency, recency, monetary, tenure) FROM customers"));
        assertTrue(swapped.getMessage().contains("argument 1 is column 'frequency', which is feature 2 of the model"),
                swapped.getMessage());
        Exception count = assertThrows(Exception.class,
                () -> spark.sql("SELECT tiny(recency, frequency) FROM customers"));
        assertTrue(count.getMessage().contains("tiny() takes 4 feature arguments"), count.getMessage());
        Exception text = assertThrows(Exception.class,
                () -> spark.sql("SELECT tiny(recency, frequency, monetary, 'x') FROM customers"));
        assertTrue(text.getMessage().contains("has type string, not a number"), text.getMessage());
    }

    @Test
    void transformerAndPipelineRoundTrip() throws IOException {
        PropensityScorer scorer = new PropensityScorer()
                .setModelPath(Fixtures.torchScript().toString())
                .setModelSha256(torchScript.sha256())
                .setOutputCol("p")
                .setBatchSize(9);
        assertTorchScores(scorer.transform(customers), "p");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {scorer});
        String saved = tmp.resolve("pipeline").toString();
        pipeline.fit(customers).write().overwrite().save(saved);
        assertTorchScores(PipelineModel.load(saved).transform(customers), "p");
        PropensityScorer djlScorer = new PropensityScorer().setModelPath(tmp.resolve("tiny_djl").toString());
        assertDjlScores(djlScorer.transform(customers), "propensity");
    }

    @Test
    void transformerRejectsAnExistingOutputColumn() {
        PropensityScorer scorer = new PropensityScorer().setModelPath(Fixtures.torchScript().toString())
                .setOutputCol("expected");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scorer.transformSchema(customers.schema()));
        assertEquals("Output column 'expected' already exists; choose another with outputCol.", e.getMessage());
    }

    @Test
    void closingTheHandleDestroysItsBroadcastOnce() {
        PropensityModel handle = Propensity.load(spark, Fixtures.torchScript().toString());
        Dataset<Row> first = Propensity.score(customers, handle);
        Dataset<Row> second = Propensity.score(customers, handle);
        assertTorchScores(second, "propensity");
        ModelRuntime.Shipment shipment = TaskLeases.ship(handle, spark.sparkContext());
        assertTrue(shipment.isLive());
        handle.close();
        assertFalse(shipment.isLive(), "close() released the broadcast of the model's bytes");
        // The broadcast is gone, so is anything still planned with it; a new transform ships again.
        assertThrows(Exception.class, () -> first.collectAsList());
        assertTorchScores(Propensity.score(customers, handle), "propensity");
        assertTrue(TaskLeases.ship(handle, spark.sparkContext()) != shipment, "shipped anew after close()");
        handle.close();
    }

    @Test
    void transformSchemaReadsOnlyTheMetadata() throws IOException {
        // Weights that no engine can load, with valid metadata beside them: the schema check passes
        // without touching the weights; only transform() loads them, and fails.
        Path broken = tmp.resolve("schema-only.pt");
        Files.writeString(broken, "not a TorchScript archive");
        torchScript.metadata().writeFor(broken);
        PropensityScorer scorer = new PropensityScorer().setModelPath(broken.toString()).setOutputCol("p");
        StructType out = scorer.transformSchema(customers.schema());
        assertEquals("p", out.fields()[out.fields().length - 1].name());
        assertThrows(io.propensitykit.model.PropensityModelException.class, () -> scorer.transform(customers));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> scorer.transformSchema(customers.drop("tenure").schema()));
        assertTrue(missing.getMessage().contains("needs feature column(s) [tenure]"), missing.getMessage());
        // The policy's Param accepts exactly the enum's names.
        assertThrows(IllegalArgumentException.class, () -> new PropensityScorer().setHandleInvalid("drop"));
        assertEquals(HandleInvalid.KEEP, new PropensityScorer().setHandleInvalid("keep").getHandleInvalid());
    }

    @Test
    void nonNumericColumnFailsOnTheDriver() {
        Dataset<Row> text = customers.withColumn("frequency", customers.col("frequency").cast("string"));
        // transform() is lazy: an exception from it means no task ran.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Propensity.score(text, torchScript));
        assertTrue(e.getMessage().startsWith("Feature column 'frequency' has type string, not a number."),
                e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Propensity.score(customers.drop("tenure"), torchScript));
        assertTrue(missing.getMessage().contains("needs feature column(s) [tenure]"), missing.getMessage());
    }

    @Test
    void keepGivesNullOnlyWhereFeaturesAreInvalid() {
        Dataset<Row> withNull = customers.selectExpr("id", "expected",
                "IF(id % 10 = 0, NULL, recency) AS recency", "frequency", "monetary", "tenure");
        List<Row> rows = Propensity.scorer(torchScript).optHandleInvalid("keep").optBatchSize(6).build()
                .transform(withNull).select("id", "expected", "propensity").collectAsList();
        assertEquals(64, rows.size());
        for (Row r : rows) {
            if (r.getInt(0) % 10 == 0) {
                assertNull(r.get(2), "id " + r.getInt(0));
            } else {
                assertEquals(r.getDouble(1), r.getDouble(2), TOL, "id " + r.getInt(0));
            }
        }
    }
}
