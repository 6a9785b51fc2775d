package io.propensitykit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.model.Fixtures;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every handleInvalid mode on {@code bad_rows.json}: 8 rows with null, NaN, +-Infinity and
 * wrong-width features. As columns, ids 2 (null), 4 (NaN), 5 (Infinity) and 6 (-Infinity) are
 * invalid; as an array, id 7 (3 values) is invalid too.
 */
class HandleInvalidTest extends SharedSpark {

    private static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.IntegerType)
            .add("recency", DataTypes.DoubleType)
            .add("frequency", DataTypes.DoubleType)
            .add("monetary", DataTypes.DoubleType)
            .add("tenure", DataTypes.DoubleType)
            .add("features", DataTypes.createArrayType(DataTypes.DoubleType));

    private static PropensityModel model;
    private static Dataset<Row> bad;

    @BeforeAll
    static void load() {
        model = Propensity.load(spark, Fixtures.torchScript().toString());
        bad = spark.read().schema(SCHEMA).json(Fixtures.dir().resolve("bad_rows.json").toString()).coalesce(1);
        assertEquals(8, bad.count());
    }

    private static PropensityScorer.Builder columns(String mode) {
        return Propensity.scorer(model).optHandleInvalid(mode).optIdCol("id").optBatchSize(3);
    }

    private static PropensityScorer.Builder array(String mode) {
        return columns(mode).optFeaturesCol("features");
    }

    private static Set<Integer> ids(Dataset<Row> df) {
        Set<Integer> ids = new TreeSet<>();
        for (Row r : df.select("id").collectAsList()) {
            ids.add(r.getInt(0));
        }
        return ids;
    }

    @Test
    void skipDropsAndCountsInvalidRows() {
        PropensityScorer scorer = columns("skip").build();
        Dataset<Row> scored = scorer.transform(bad);
        assertEquals(Set.of(1, 3, 7, 8), ids(scored));
        assertEquals(4, scorer.skippedRows());

        PropensityScorer arrays = array("skip").build();
        assertEquals(Set.of(1, 3, 8), ids(arrays.transform(bad)));
        assertEquals(5, arrays.skippedRows());
    }

    @Test
    void keepScoresInvalidRowsAsNull() {
        Dataset<Row> scored = columns("keep").build().transform(bad);
        assertEquals(8, scored.count());
        assertTrue(scored.schema().apply("propensity").nullable());
        assertEquals(Set.of(2, 4, 5, 6), ids(scored.where("propensity IS NULL")));
        assertEquals(Set.of(1, 3, 7, 8), ids(scored.where("propensity IS NOT NULL")));

        Dataset<Row> arrays = array("keep").build().transform(bad);
        assertEquals(8, arrays.count());
        assertEquals(Set.of(2, 4, 5, 6, 7), ids(arrays.where("propensity IS NULL")));
    }

    @Test
    void validRowsScoreTheSameWhateverTheMode() {
        List<Row> kept = columns("keep").build().transform(bad).where("propensity IS NOT NULL")
                .orderBy("id").select("propensity").collectAsList();
        List<Row> skipped = columns("skip").build().transform(bad).orderBy("id").select("propensity").collectAsList();
        assertEquals(kept, skipped);
        double direct = model.predict(new double[] {10, 2, 50, 12})[0];
        assertEquals(direct, kept.get(0).getDouble(0), 1e-6);
    }

    @Test
    void errorNamesColumnValueAndSetting() {
        SparkException e = assertThrows(SparkException.class, () -> columns("error").build().transform(bad).count());
        String message = e.getMessage();
        assertTrue(message.contains("Invalid features in a row (id=2): column 'recency' is null. Model 'tiny_mlp'"
                + " cannot score that. Set optHandleInvalid(\"skip\") to drop"
                + " such rows, or optHandleInvalid(\"keep\")"), message);

        Dataset<Row> fromNan = bad.where("id >= 4");
        SparkException nan = assertThrows(SparkException.class, () -> columns("error").build().transform(fromNan)
                .count());
        assertTrue(nan.getMessage().contains("(id=4): column 'frequency' is NaN"), nan.getMessage());
        Dataset<Row> fromInf = bad.where("id >= 5");
        SparkException inf = assertThrows(SparkException.class, () -> columns("error").build().transform(fromInf)
                .count());
        assertTrue(inf.getMessage().contains("(id=5): column 'monetary' is Infinity"), inf.getMessage());

        Dataset<Row> wide = bad.where("id = 7");
        SparkException width = assertThrows(SparkException.class, () -> array("error").build().transform(wide)
                .count());
        assertTrue(width.getMessage().contains("(id=7): column 'features' holds 3 values, not 4. Model 'tiny_mlp'"), width.getMessage());
    }

    @Test
    void errorModeKeepsEveryRowOfValidData() {
        Dataset<Row> valid = bad.where("id IN (1, 3, 8)");
        assertEquals(3, columns("error").build().transform(valid).count());
        assertEquals(3, array("error").build().transform(valid).count());
    }

    @Test
    void sqlFunctionKeepAndError() {
        bad.createOrReplaceTempView("bad");
        Propensity.register(spark, "p_keep", model, HandleInvalid.KEEP);
        Dataset<Row> kept = spark.sql("SELECT id, p_keep(recency, frequency, monetary, tenure) AS p FROM bad");
        assertEquals(8, kept.count());
        assertEquals(Set.of(2, 4, 5, 6), ids(kept.where("p IS NULL")));
        assertEquals(Set.of(2, 4, 5, 6, 7), ids(spark.sql("SELECT id FROM bad WHERE p_keep(features) IS NULL")));

        Propensity.register(spark, "p_error", model);
        SparkException e = assertThrows(SparkException.class,
                () -> spark.sql("SELECT p_error(features) FROM bad WHERE id = 7").collectAsList());
        assertTrue(e.getMessage().contains("p_error(): the feature array holds 3 values, not 4"), e.getMessage());
        IllegalArgumentException skip = assertThrows(IllegalArgumentException.class,
                () -> Propensity.register(spark, "p_skip", model, HandleInvalid.SKIP));
        assertTrue(skip.getMessage().startsWith("A SQL function cannot drop rows"), skip.getMessage());
    }
}
