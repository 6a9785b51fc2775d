package io.propensitykit.causal;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * {@code fixtures/causal/causal.csv}, written by {@code make_causal_fixture.py}: 300 rows of a
 * propensity e, a treatment t, an outcome y, covariates x1 and x2, and outcome predictions m1, m0.
 */
public final class CausalFixture {

    private CausalFixture() {}

    /**
     * Reads the fixture; one small file, so one partition in file order.
     *
     * @param spark the session
     * @return the rows
     */
    public static Dataset<Row> read(SparkSession spark) {
        Path csv;
        try {
            csv = Path.of(CausalFixture.class.getResource("/fixtures/causal/causal.csv").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        StructType schema = new StructType().add("e", DataTypes.DoubleType).add("t", DataTypes.IntegerType)
                .add("y", DataTypes.IntegerType).add("x1", DataTypes.DoubleType).add("x2", DataTypes.DoubleType)
                .add("m1", DataTypes.DoubleType).add("m0", DataTypes.DoubleType);
        return spark.read().option("header", "true").schema(schema).csv(csv.toString());
    }
}
