package io.propensitykit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.model.ModelFormat;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.spark.Propensity;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo model trained in PyTorch by {@code datasets/train_torchscript.py} (committed in
 * the kit jar as {@code classpath:models/retail_mlp.pt}, its held-out predictions with the tests) scores the same held-out customers in Spark as PyTorch did, raw columns in: the
 * feature spec written by Python is applied by the kit's scorer.
 */
class TorchTrainedModelTest extends SharedSpark {

    @Test
    void scoresHeldOutRowsAsPyTorchDid() throws Exception {
        Map<Long, Double> expected = holdout();
        // As the notes load it: from the kit jar, wherever the JVM was started.
        PropensityModel model = Propensity.load(spark, "classpath:models/retail_mlp.pt");
        assertEquals(ModelFormat.TORCHSCRIPT, model.format());
        List<Row> scored = Propensity.score(RetailGenerator.builder().optRows(20_000).optSeed(21).build()
                .generate(spark).where("customer_id % 40 = 0"), model)
                .select("customer_id", "propensity").collectAsList();
        assertEquals(expected.size(), scored.size());
        for (Row r : scored) {
            assertEquals(expected.get(r.getLong(0)), r.getDouble(1), 1e-5, "customer " + r.getLong(0));
        }
    }

    /** The held-out predictions PyTorch wrote beside the demo model, kept with the tests: customer id to score. */
    private static Map<Long, Double> holdout() throws Exception {
        Map<Long, Double> expected = new HashMap<>();
        List<String> lines = Files.readAllLines(
                Path.of(TorchTrainedModelTest.class.getResource("/models/retail_mlp_holdout.csv").toURI()));
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            expected.put(Long.parseLong(cells[0]), Double.parseDouble(cells[1]));
        }
        return expected;
    }

    @Test
    void theSqlFunctionAppliesTheFeatureSpecToo() throws Exception {
        Map<Long, Double> expected = holdout();
        PropensityModel model = Propensity.load(spark, "classpath:models/retail_mlp.pt");
        Propensity.register(spark, "retail", model);
        RetailGenerator.builder().optRows(20_000).optSeed(21).build().generate(spark).where("customer_id % 40 = 0")
                .createOrReplaceTempView("held_out");
        String columns = String.join(", ", model.features());
        for (String sql : List.of("SELECT customer_id, retail(" + columns + ") AS p FROM held_out",
                "SELECT customer_id, retail(struct(*)) AS p FROM held_out")) {
            List<Row> rows = spark.sql(sql).collectAsList();
            assertEquals(expected.size(), rows.size());
            for (Row r : rows) {
                assertEquals(expected.get(r.getLong(0)), r.getDouble(1), 1e-5, sql + ", customer " + r.getLong(0));
            }
        }
    }
}
