package io.propensitykit.metrics;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code fixtures/metrics/scores.csv} (made by make_metrics_fixture.py) as arrays and as a DataFrame. */
public final class ScoresFixture {

    /** The 400 scores, in file order. */
    public final double[] scores;
    /** The 400 labels, in file order. */
    public final boolean[] labels;
    /** The file. */
    public final Path csv;

    private ScoresFixture() {
        try {
            csv = Path.of(ScoresFixture.class.getResource("/fixtures/metrics/scores.csv").toURI());
            List<String> lines = Files.readAllLines(csv);
            scores = new double[lines.size() - 1];
            labels = new boolean[lines.size() - 1];
            for (int i = 1; i < lines.size(); i++) {
                String[] cells = lines.get(i).split(",");
                scores[i - 1] = Double.parseDouble(cells[0]);
                labels[i - 1] = cells[1].equals("1");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the fixture, read from the test resources */
    public static ScoresFixture load() {
        return new ScoresFixture();
    }

    /**
     * @param spark the session
     * @return the rows as {@code score double, label int}, in four partitions
     */
    public Dataset<Row> frame(SparkSession spark) {
        StructType schema = new StructType().add("score", DataTypes.DoubleType).add("label", DataTypes.IntegerType);
        return spark.read().option("header", "true").schema(schema).csv(csv.toString()).repartition(4);
    }
}
