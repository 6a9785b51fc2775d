package io.propensitykit.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Drift's share of the bad-input suite: a profile edited by hand or cut short is refused on load, in
 * the kit's words, and a value drift cannot sum is refused before it becomes a NaN in drift.json.
 * The profile is the one {@code DriftTest} profiles, from {@code fixtures/monitor/baseline.csv}.
 */
class DriftBadInputTest extends SharedSpark {

    private static final String SCHEMA = "shifted DOUBLE, same DOUBLE, visits DOUBLE, channel STRING, score DOUBLE";
    private static Dataset<Row> baseline;
    private static String profile;

    @BeforeAll
    static void fixture() throws Exception {
        Path dir = Path.of(DriftBadInputTest.class.getResource("/fixtures/monitor/baseline.csv").toURI()).getParent();
        baseline = spark.read().option("header", "true").schema(SCHEMA).csv(dir.resolve("baseline.csv").toString());
        profile = Drift.of(baseline).setScore("score").setNumeric("shifted", "same", "visits")
                .setCategorical("channel").profile().json();
    }

    /** The profile with one edit made to its JSON. */
    private static String edited(Consumer<JsonObject> edit) {
        JsonObject root = JsonParser.parseString(profile).getAsJsonObject();
        edit.accept(root);
        return root.toString();
    }

    private static JsonObject column(JsonObject root, String name) {
        for (var c : root.getAsJsonArray("columns")) {
            if (c.getAsJsonObject().get("name").getAsString().equals(name)) {
                return c.getAsJsonObject();
            }
        }
        throw new IllegalArgumentException(name);
    }

    static Stream<Arguments> refusedOnLoad() {
        return Stream.of(
                Arguments.of("a negative bin count", edited(r -> column(r, "shifted").getAsJsonArray("counts")
                        .set(1, new com.google.gson.JsonPrimitive(-5))), "column 'shifted' has a negative count -5 for"
                        + " bin 2"),
                Arguments.of("a negative null count", edited(r -> column(r, "visits").addProperty("nulls", -1)),
                        "column 'visits' has a negative count -1 for nulls"),
                Arguments.of("a negative level count", edited(r -> {
                    JsonObject levels = column(r, "channel").getAsJsonObject("levels");
                    levels.addProperty(levels.keySet().iterator().next(), -3);
                }), "column 'channel' has a negative count -3 for level"),
                Arguments.of("reversed edges", edited(r -> {
                    JsonArray edges = column(r, "same").getAsJsonArray("edges");
                    JsonArray reversed = new JsonArray();
                    for (int i = edges.size() - 1; i >= 0; i--) {
                        reversed.add(edges.get(i));
                    }
                    column(r, "same").add("edges", reversed);
                }), "column 'same' has edges ["),
                Arguments.of("a NaN edge", profile.replaceFirst("(\"psiEdges\": \\[\\s*)[-0-9.eE]+", "$1NaN"),
                        "which are not finite and strictly increasing (at position 1)"),
                Arguments.of("an unknown kind", edited(r -> column(r, "same").addProperty("kind", "ordinal")),
                        "column 'same' has the kind 'ordinal', which is none of [score, numeric, categorical]"),
                Arguments.of("more counted than rows", edited(r -> r.addProperty("rows", 3)),
                        "values in a profile of 3 rows"),
                Arguments.of("negative rows", edited(r -> r.addProperty("rows", -10)),
                        "its rows (-10), bins and fineBins must be positive"),
                Arguments.of("an empty bin range", edited(r -> {
                    JsonObject c = column(r, "shifted");
                    int i = 0;
                    while (c.getAsJsonArray("counts").get(i).getAsLong() == 0) {
                        i++;
                    }
                    c.getAsJsonArray("min").set(i, new com.google.gson.JsonPrimitive(10.0));
                    c.getAsJsonArray("max").set(i, new com.google.gson.JsonPrimitive(-10.0));
                }), "has min 10.0 and max -10.0, not a finite range"),
                Arguments.of("an unknown version", edited(r -> r.addProperty("version", 99)),
                        "it is version 99, and this kit reads version "),
                Arguments.of("cut short", profile.substring(0, profile.length() / 2),
                        "it is not a JSON object (it goes wrong at line "),
                Arguments.of("not JSON at all", "profile: yes", "it is not a JSON object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusedOnLoad(String name, String json, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DriftProfile.parse(json, "week47.json"));
        assertTrue(e.getMessage().startsWith("week47.json is not a drift profile the kit can read: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("Strictness") || e.getMessage().contains("JsonReader")
                || e.getMessage().contains("gson"), "the kit's words, not Gson's: " + e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void theProfileAsWrittenLoads() {
        // The control for the cases above: the unedited profile reads back to itself.
        assertEquals(profile, DriftProfile.parse(profile, "week47.json").json());
        assertFalse(profile.contains("NaN") || profile.contains("Infinity"), "valid JSON");
    }

    @Test
    void valuesWhoseSquareOverflowsAreRefusedNotANaNInTheJson() {
        Dataset<Row> huge = baseline.withColumn("visits", functions.when(functions.rand(3).lt(0.1),
                functions.lit(1e300)).otherwise(functions.col("visits")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Drift.between(baseline, huge).setNumeric("visits").compute());
        assertTrue(e.getMessage().startsWith("Column 'visits' holds ") && e.getMessage().contains("beyond ±1.3e154"),
                e.getMessage());
    }

    /** 1e150 in a tenth of a column (finite, accepted) printed as 150 digits in each mean and median cell. */
    @Test
    void hugeFiniteValuesKeepTheTableNarrow() {
        Dataset<Row> huge = baseline.withColumn("visits", functions.when(functions.rand(3).lt(0.1),
                functions.lit(1e150)).otherwise(functions.col("visits")));
        String table = Drift.between(baseline, huge).setNumeric("visits").compute().table().print();
        int widest = table.lines().mapToInt(String::length).max().orElse(0);
        assertTrue(widest < 250, widest + " characters wide:\n" + table);
        assertTrue(table.contains("9.4333e+148"), "the current mean, about 0.1 × 1e150, with its exponent:\n" + table);
    }

    @Test
    void anEmptyBaselineIsCalledEmpty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Drift.between(baseline.limit(0), baseline).setNumeric("visits").compute());
        assertEquals("The baseline has no rows, so there is nothing to compare with. Check its path and filter.",
                e.getMessage());
    }

    @Test
    void calibrationWithNoBinsIsRefusedInWords() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> io.propensitykit.metrics.Calibration.of(new double[] {0.2, 0.7}, new boolean[] {false, true}, 0));
        assertEquals("Binning needs at least one bin; got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> io.propensitykit.metrics.Calibration.quantile(baseline, "score", "score", -1));
    }
}
