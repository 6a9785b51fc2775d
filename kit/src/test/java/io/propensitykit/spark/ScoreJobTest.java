package io.propensitykit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.model.Fixtures;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code kit score} end to end on a small Parquet file, through the same entry point as the launcher. */
class ScoreJobTest {

    @TempDir
    Path tmp;

    @AfterEach
    void noSessionLeft() {
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    private Map<Integer, Double> writeCustomers(Path parquet) {
        StructType schema = new StructType().add("customer_id", DataTypes.IntegerType)
                .add("r", DataTypes.DoubleType).add("f", DataTypes.DoubleType)
                .add("m", DataTypes.DoubleType).add("t", DataTypes.DoubleType);
        List<Row> rows = new ArrayList<>();
        Map<Integer, Double> expected = new HashMap<>();
        List<double[]> fixture = Fixtures.expectedRows();
        for (int i = 0; i < fixture.size(); i++) {
            double[] r = fixture.get(i);
            rows.add(RowFactory.create(1000 + i, r[0], r[1], r[2], r[3]));
            expected.put(1000 + i, r[4]);
        }
        SparkSession spark = SharedSpark.newSession();
        spark.createDataFrame(rows, schema).repartition(2).write().parquet(parquet.toString());
        spark.stop();
        return expected;
    }

    @Test
    void scoresParquetToParquet() throws Exception {
        Path input = tmp.resolve("customers.parquet");
        Path output = tmp.resolve("scored.parquet");
        Map<Integer, Double> expected = writeCustomers(input);

        int status = ScoreJob.run(new String[] {"--model", Fixtures.torchScript().toString(),
            "--input", input.toString(), "--output", output.toString(), "--features", "r,f,m,t",
            "--id", "customer_id", "--master", "local[2]", "--batch-size", "16"});
        assertEquals(0, status);

        SparkSession spark = SharedSpark.newSession();
        List<Row> scored = spark.read().parquet(output.toString()).collectAsList();
        assertEquals(64, scored.size());
        assertEquals(List.of("customer_id", "propensity"), List.of(scored.get(0).schema().fieldNames()));
        for (Row r : scored) {
            assertEquals(expected.get(r.getInt(0)), r.getDouble(1), 1e-5, "customer " + r.getInt(0));
        }
    }

    @Test
    void failuresAreOneLineReasons() throws Exception {
        Path input = tmp.resolve("customers.parquet");
        writeCustomers(input);
        String[] wrongColumns = {"--model", Fixtures.torchScript().toString(), "--input", input.toString(),
            "--output", tmp.resolve("out").toString(), "--master", "local[2]"};
        Exception e = assertThrows(Exception.class, () -> ScoreJob.run(wrongColumns));
        String reason = ScoreJob.reason(e);
        assertTrue(reason.startsWith("Model 'tiny_mlp' needs feature column(s) [recency, frequency, monetary,"
                + " tenure], which the DataFrame lacks."), reason);
        assertTrue(!reason.contains("\n"));

        String[] missingModel = {"--model", tmp.resolve("none.pt").toString(), "--input", input.toString(),
            "--output", tmp.resolve("out").toString(), "--master", "local[2]"};
        Exception m = assertThrows(Exception.class, () -> ScoreJob.run(missingModel));
        assertTrue(ScoreJob.reason(m).startsWith("Model not found: " + tmp.resolve("none.pt")), ScoreJob.reason(m));

        ScoreJob.UsageException usage = assertThrows(ScoreJob.UsageException.class,
                () -> ScoreJob.run(new String[] {"--model", "m.pt", "--input"}));
        assertEquals("--input needs a value", usage.getMessage());
    }
}
