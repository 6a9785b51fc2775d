package io.propensitykit.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The causal API's share of the bad-input suite: data that cannot give an estimate is refused in
 * one sentence that names the column and the count, and an estimate that few rows carry says so.
 * The rows are the 300 of {@link CausalFixture} with an id, edited per case.
 */
class CausalBadInputTest extends SharedSpark {

    private static Dataset<Row> rows;

    @BeforeAll
    static void fixture() {
        rows = CausalFixture.read(spark).withColumn("id", functions.monotonically_increasing_id())
                .withColumn("y", functions.col("y").cast("double")).cache();
    }

    private static Effects effects(Dataset<Row> df) {
        return Effects.on(df).setTreatment("t").setOutcome("y").optReplicates(20);
    }

    /** Every estimator on one edit of the rows. */
    private static Stream<Arguments> everyEstimator(String edit, Function<Dataset<Row>, Dataset<Row>> change,
            String expected) {
        Dataset<Row> df = change.apply(rows);
        return Stream.of(
                Arguments.of(edit + ": naive", (Executable) () -> effects(df).naive(), expected),
                Arguments.of(edit + ": ipw", (Executable) () -> effects(df).ipw("e"), expected),
                Arguments.of(edit + ": ipw (ATT)", (Executable) () -> effects(df).optEstimand(Estimand.ATT).ipw("e"),
                        expected),
                Arguments.of(edit + ": aipw", (Executable) () -> effects(df).aipw("e", "m1", "m0"), expected),
                Arguments.of(edit + ": aipw (ATT)", (Executable) () -> effects(df).optEstimand(Estimand.ATT)
                        .aipw("e", "m1", "m0"), expected),
                Arguments.of(edit + ": stratification", (Executable) () -> Stratification.on(df).setScore("e")
                        .setTreatment("t").compute().effect("y", 20, 7), expected));
    }

    static Stream<Arguments> refused() {
        Column1 t1 = new Column1("t", functions.lit(1));
        Column1 t0 = new Column1("t", functions.lit(0));
        return Stream.of(
                everyEstimator("every row treated", df -> t1.apply(df), "'t' has no controls: 300 of 300 rows are"
                        + " treated. An effect compares the treated with the controls"),
                everyEstimator("no row treated", df -> t0.apply(df), "'t' has no treated rows: 300 of 300 rows are"
                        + " controls."),
                everyEstimator("a null outcome", df -> df.withColumn("y", functions.when(functions.col("id").equalTo(5),
                        functions.lit(null).cast("double")).otherwise(functions.col("y"))),
                        "'y' is null or NaN in 1 of 300 rows: an estimate over them would be NaN. Drop or impute"),
                everyEstimator("NaN outcomes", df -> df.withColumn("y", functions.when(functions.col("id").lt(3),
                        functions.lit(Double.NaN)).otherwise(functions.col("y"))), "'y' is null or NaN in 3 of 300"
                        + " rows"),
                Stream.of(
                        Arguments.of("a NaN prediction: aipw", (Executable) () -> effects(rows.withColumn("m0",
                                functions.when(functions.col("id").equalTo(7), functions.lit(Double.NaN))
                                        .otherwise(functions.col("m0")))).aipw("e", "m1", "m0"),
                                "'m0' is null or NaN in 1 of 300 rows"),
                        Arguments.of("a null prediction: regression", (Executable) () -> effects(rows.withColumn("m1",
                                functions.when(functions.col("id").equalTo(7), functions.lit(null).cast("double"))
                                        .otherwise(functions.col("m1")))).regression("m1", "m0"),
                                "'m1' is null or NaN in 1 of 300 rows"),
                        Arguments.of("every row treated: regression", (Executable) () -> effects(t1.apply(rows))
                                .regression("m1", "m0"), "'t' has no controls"),
                        Arguments.of("every row treated: matching", (Executable) () -> Matching.nearest(t1.apply(rows),
                                "id", "e", "t"), "'t' has no controls: 300 of 300 rows are treated. Matching pairs"),
                        Arguments.of("a shared id: matching", (Executable) () -> Matching.nearest(rows.withColumn("id",
                                functions.col("id").mod(150)), "id", "e", "t"), "Id 'id' is not unique: 150 rows"
                                + " repeat an id of another (for example 0). Matching joins its pairs back"),
                        Arguments.of("a null id: matching", (Executable) () -> Matching.nearest(rows.withColumn("id",
                                functions.when(functions.col("id").equalTo(4), functions.lit(null))
                                        .otherwise(functions.col("id"))), "id", "e", "t"),
                                "Id 'id' is null in a row"),
                        Arguments.of("one replicate: matching", (Executable) () -> Matching.nearest(rows, "id", "e",
                                "t").att("y", 1), "Use at least 20 bootstrap replicates; found 1"),
                        Arguments.of("a null outcome: matching", (Executable) () -> Matching.nearest(
                                rows.withColumn("y", functions.lit(null).cast("double")), "id", "e", "t").att("y", 20),
                                "Outcome 'y' is null for matched id "),
                        Arguments.of("no overlap, so no pair within the caliper: matching", (Executable) () ->
                                Matching.nearest(rows.withColumn("e", functions.when(functions.col("t").equalTo(1),
                                        0.9).otherwise(0.1)), "id", "e", "t").att("y", 20),
                                "No treated row found a control within the caliper"),
                        Arguments.of("a NaN pair difference: Rosenbaum bounds", (Executable) () ->
                                Sensitivity.rosenbaum(new double[] {1, 2, Double.NaN, -1, 3}, 0.05),
                                "1 of 5 pair differences are NaN or infinite")))
                .flatMap(s -> s);
    }

    /** A column replaced by a constant, kept in its type. */
    private record Column1(String name, org.apache.spark.sql.Column value) {
        Dataset<Row> apply(Dataset<Row> df) {
            return df.withColumn(name, value.cast(df.schema().apply(name).dataType()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refused(String name, Executable estimate, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, estimate);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
    }

    @Test
    void aPropensityNearOneMakesTheEstimateSayItIsFragile() {
        // One control with e = 1 - 1e-9 weighs 1e9 under the ATE: it carries its arm.
        Dataset<Row> extreme = rows.withColumn("e", functions.when(functions.col("id").equalTo(firstControl()),
                functions.lit(1 - 1e-9)).otherwise(functions.col("e")));
        Effects.Estimate ipw = effects(extreme).ipw("e");
        Effects.Estimate aipw = effects(extreme).aipw("e", "m1", "m0");
        for (Effects.Estimate fragile : List.of(ipw, aipw)) {
            assertTrue(fragile.warnings().stream().anyMatch(w -> w.matches("the controls' effective sample size is"
                    + " 1\\.0 of \\d+ rows")), fragile.warnings().toString());
            assertTrue(fragile.warnings().contains("one of the controls carries 100% of their weight"),
                    fragile.warnings().toString());
            assertTrue(fragile.toString().contains("; fragile: the controls' effective sample size is 1.0 of"),
                    fragile.toString());
        }
        var table = Effects.table(effects(extreme).naive(), ipw);
        assertEquals(List.of("method", "estimate", "95% CI lower", "95% CI upper", "replicates", "fragile"),
                table.columnNames());
        assertEquals("", table.stringColumn("fragile").get(0), "naive uses no weights");
    }

    @Test
    void theFixturesEstimatesAreNotFragile() {
        // The control: well-overlapping scores give no warning, and the table keeps its columns.
        Effects.Estimate ipw = effects(rows).ipw("e");
        assertEquals(List.of(), ipw.warnings());
        assertFalse(Effects.table(ipw).columnNames().contains("fragile"));
        assertTrue(Double.isFinite(Matching.nearest(rows, "id", "e", "t").att("y", 20).estimate()));
    }

    private static long firstControl() {
        return rows.where("t = 0").orderBy("id").first().getLong(rows.schema().fieldIndex("id"));
    }
}
