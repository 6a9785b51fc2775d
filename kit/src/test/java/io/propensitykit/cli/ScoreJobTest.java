package io.propensitykit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

        int status = score("--model", Fixtures.torchScript().toString(),
            "--input", input.toString(), "--output", output.toString(), "--features", "r,f,m,t",
            "--id", "customer_id", "--master", "local[2]", "--batch-size", "16");
        assertEquals(0, status, err.toString());

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
        assertEquals(1, score("--model", Fixtures.torchScript().toString(), "--input", input.toString(),
            "--output", tmp.resolve("out").toString(), "--master", "local[2]"));
        assertEquals("kit score: error: Model 'tiny_mlp' needs feature column(s) [recency, frequency, monetary,"
                + " tenure], which the DataFrame lacks. Its columns are [customer_id, r, f, m, t]. Rename them, or map them"
                + " with --features (in the model's order [recency, frequency, monetary, tenure]).", errorLine());
        assertFalse(err.toString().contains("\tat "), "no stack trace without --verbose: " + err);

        err.reset();
        assertEquals(1, score("--model", tmp.resolve("none.pt").toString(), "--input", input.toString(),
            "--output", tmp.resolve("out").toString(), "--master", "local[2]", "--verbose"));
        assertTrue(errorLine().startsWith("kit score: error: Model not found: " + tmp.resolve("none.pt")), errorLine());
        assertTrue(err.toString().contains("\tat "), "--verbose prints the trace: " + err);

        err.reset();
        assertEquals(2, score("--model", "m.pt", "--input"));
        assertTrue(err.toString().startsWith("kit score: Missing required parameter for option '--input'"),
                err.toString());
        assertTrue(err.toString().contains("Usage: kit score"), err.toString());
    }

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int score(String... args) {
        PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);
        return Cli.execute(new ScoreJob(stream), stream, stream, args);
    }

    /** The line that starts with the command's error prefix. */
    private String errorLine() {
        return err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("kit score: error:")).findFirst()
                .orElse("(none) in " + err);
    }
}
