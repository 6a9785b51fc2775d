package io.propensitykit.monitor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.monitor.FeatureDrift.Kind;
import io.propensitykit.monitor.FeatureDrift.Numbers;
import io.propensitykit.monitor.FeatureDrift.Status;
import io.propensitykit.plot.DriftPlots;
import io.propensitykit.plot.Plot;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tech.tablesaw.api.Table;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Drift against the NumPy/SciPy reference of {@code fixtures/monitor/make_drift_fixture.py} (PSI
 * on the baseline's quantile bins and on levels, KS of the binned CDFs via SciPy's ks_2samp, null
 * shares, means, population standard deviations) to 1e-9, and the kit's own rules: quantiles within
 * a fine bin, thresholds, and the errors for what cannot be compared.
 */
class DriftTest extends SharedSpark {

    private static final String SCHEMA = "shifted DOUBLE, same DOUBLE, visits DOUBLE, channel STRING, score DOUBLE";
    private static Dataset<Row> baseline;
    private static Dataset<Row> current;
    private static JsonObject reference;
    private static DriftReport report;

    @BeforeAll
    static void fixture() throws Exception {
        Path dir = Path.of(DriftTest.class.getResource("/fixtures/monitor/baseline.csv").toURI()).getParent();
        baseline = spark.read().option("header", "true").schema(SCHEMA).csv(dir.resolve("baseline.csv").toString());
        current = spark.read().option("header", "true").schema(SCHEMA).csv(dir.resolve("current.csv").toString());
        reference = JsonParser.parseString(Files.readString(dir.resolve("drift_reference.json"))).getAsJsonObject();
        report = Drift.between(baseline, current).setScore("score").setNumeric("shifted", "same", "visits")
                .setCategorical("channel").optLevels(3).compute();
    }

    @Test
    void numbersMatchNumPyAndSciPy() {
        for (String name : List.of("shifted", "same", "visits", "score")) {
            FeatureDrift f = report.feature(name);
            JsonObject ref = reference.getAsJsonObject(name);
            assertEquals(ref.get("psi").getAsDouble(), f.psi(), 1e-9, name + " psi");
            assertEquals(ref.get("ks").getAsDouble(), f.ks().getAsDouble(), 1e-9, name + " ks");
            JsonArray nulls = ref.getAsJsonArray("nulls");
            assertEquals(nulls.get(0).getAsLong(), f.baseline().nulls(), name);
            assertEquals(nulls.get(1).getAsLong(), f.current().nulls(), name);
            Numbers b = f.baseline().numbers().orElseThrow();
            Numbers c = f.current().numbers().orElseThrow();
            assertEquals(ref.getAsJsonArray("mean").get(0).getAsDouble(), b.mean(), 1e-9, name + " mean");
            assertEquals(ref.getAsJsonArray("mean").get(1).getAsDouble(), c.mean(), 1e-9, name + " mean");
            assertEquals(ref.getAsJsonArray("std").get(0).getAsDouble(), b.std(), 1e-9, name + " std");
            assertEquals(ref.getAsJsonArray("std").get(1).getAsDouble(), c.std(), 1e-9, name + " std");
            assertEquals(ref.getAsJsonArray("edges").size() + 2, f.bins().size(),
                    name + ": the PSI bins and a null bin");
            assertEquals(name.equals("score") ? Kind.SCORE : Kind.NUMERIC, f.kind());
        }
    }

    @Test
    void levelsMatchNumPy() {
        FeatureDrift channel = report.feature("channel");
        JsonObject ref = reference.getAsJsonObject("channel");
        assertEquals(ref.get("psi").getAsDouble(), channel.psi(), 1e-9);
        List<String> bins = new ArrayList<>();
        ref.getAsJsonArray("bins").forEach(b -> bins.add(b.getAsString()));
        assertEquals(bins, channel.bins());
        assertEquals(List.of("web", "store", "app", "(other)", "(unseen)", "(null)"), channel.bins());
        assertEquals(1, channel.unseenLevels(), "kiosk");
        assertEquals(ref.get("unseenLevels").getAsLong(), channel.unseenLevels());
        assertEquals(ref.getAsJsonArray("nulls").get(1).getAsLong(), channel.current().nulls());
        assertTrue(channel.ks().isEmpty() && channel.baseline().numbers().isEmpty(), "levels have no KS or mean");
    }

    /** The quantiles read off the fine bins are within the width of the bin that holds the exact one. */
    @Test
    void quantilesAreWithinAFineBin() {
        for (String name : List.of("shifted", "same", "score")) {
            FeatureDrift f = report.feature(name);
            double[] edges = f.fine().orElseThrow().edges();
            JsonObject ref = reference.getAsJsonObject(name);
            for (int side = 0; side < 2; side++) {
                Numbers n = (side == 0 ? f.baseline() : f.current()).numbers().orElseThrow();
                double[] got = {n.p10(), n.median(), n.p90()};
                String[] keys = {"p10", "median", "p90"};
                for (int q = 0; q < 3; q++) {
                    double exact = ref.getAsJsonArray(keys[q]).get(side).getAsDouble();
                    int bin = io.propensitykit.internal.QuantileEdges.group(exact, edges);
                    double width = bin == 0 || bin == edges.length ? edges[1] - edges[0]
                            : edges[bin] - edges[bin - 1];
                    assertEquals(exact, got[q], width, name + " " + keys[q] + " side " + side);
                }
            }
        }
    }

    @Test
    void rankedByPsiWithTheStatusOfTheThresholds() {
        assertEquals(List.of("channel", "shifted", "score", "same", "visits"),
                report.features().stream().map(FeatureDrift::feature).toList(), "ranked by the reference's PSI");
        assertEquals(Status.WATCH, report.feature("shifted").status(), "0.237: watch, below 0.25");
        assertEquals(Status.STABLE, report.feature("visits").status());
        assertTrue(report.exceeds(0.2) && !report.exceeds(0.25));
        assertEquals(List.of("channel", "shifted"), report.drifted().stream().map(FeatureDrift::feature).toList());
        DriftReport dotted = Drift.between(baseline.withColumnRenamed("same", "same.v"),
                current.withColumnRenamed("same", "same.v")).setNumeric("same.v").compute();
        assertEquals(report.feature("same").psi(), dotted.worst().psi(), 1e-12, "a dot is part of a column's name");
        DriftReport strict = Drift.between(baseline, current).setNumeric("shifted").optThresholds(0.05, 0.2).compute();
        assertEquals(Status.ACT, strict.worst().status());
        assertEquals(report.feature("shifted").psi(), strict.worst().psi(), 1e-12, "the same bins alone");

        Table table = report.table();
        assertEquals(5, table.rowCount());
        assertEquals("channel", table.stringColumn("feature").get(0));
        assertTrue(table.doubleColumn("mean (baseline)").isMissing(0), "channel has no mean");
        assertEquals(report.feature("shifted").baseline().numbers().orElseThrow().mean(),
                table.doubleColumn("mean (baseline)").get(1), 0.0);
        double shift = report.feature("shifted").standardizedMeanShift().getAsDouble();
        assertEquals(0.5, shift, 0.1, "N(0, 1) moved by 0.5");
        assertEquals(1, table.longColumn("unseen levels").get(0), "kiosk");
        assertTrue(table.longColumn("unseen levels").isMissing(1), "numbers have no levels");
        List<String> visits = report.feature("visits").bins();
        assertTrue(visits.stream().noneMatch(b -> b.contains(".")), "whole numbers label their bins whole: " + visits);
        // A shift far below the fourth decimal prints as 0.0000, not as "-0.0000".
        String tiny = Drift.between(baseline, baseline.withColumn("same", functions.col("same").minus(1e-9)))
                .setNumeric("same").compute().table().printAll();
        assertTrue(tiny.contains("0.0000") && !tiny.contains("-0.0000"), tiny);
        JsonObject json = JsonParser.parseString(report.json()).getAsJsonObject();
        assertEquals(report.feature("shifted").psi(), json.getAsJsonArray("features").get(1).getAsJsonObject()
                .get("psi").getAsDouble(), 0.0);
        assertFalse(json.getAsJsonArray("features").get(0).getAsJsonObject().has("ks"), "channel has no KS");
    }

    @Test
    void whatCannotBeComparedIsRefusedByName() {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Drift.between(baseline, current.drop("visits")).setNumeric("visits").compute());
        assertTrue(missing.getMessage().startsWith("Column 'visits' is not in the current data; its columns are"),
                missing.getMessage());
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class,
                () -> Drift.between(baseline, current).setNumeric("channel").compute());
        assertTrue(text.getMessage().contains("Name it with setCategorical"), text.getMessage());
        IllegalArgumentException allNull = assertThrows(IllegalArgumentException.class,
                () -> Drift.between(baseline.withColumn("same", functions.lit(null).cast("double")), current)
                        .setNumeric("same").compute());
        assertTrue(allNull.getMessage().startsWith("Column 'same' has no number in the baseline"),
                allNull.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> Drift.between(baseline, current.limit(0)).setNumeric("shifted").compute());
        assertEquals("The current data has no rows; drift needs rows on both sides.", empty.getMessage());
        IllegalArgumentException infinite = assertThrows(IllegalArgumentException.class,
                () -> Drift.between(baseline, current.withColumn("shifted", functions.when(functions.col("visits")
                        .equalTo(0), Double.POSITIVE_INFINITY).otherwise(functions.col("shifted"))))
                        .setNumeric("shifted").compute());
        long zeros = current.where("visits = 0").count();
        assertTrue(zeros > 0, "the fixture has customers with no visit");
        assertTrue(infinite.getMessage().startsWith(String.format(java.util.Locale.ROOT, "Column 'shifted' holds %,d"
                + " infinite value(s), or beyond ±1.3e154 where a square overflows, in the current data", zeros)), infinite.getMessage());
        Dataset<Row> customers = spark.range(Drift.MAX_LEVELS + 5).toDF("id");
        IllegalArgumentException ids = assertThrows(IllegalArgumentException.class,
                () -> Drift.between(customers, customers).setCategorical("id").compute());
        assertTrue(ids.getMessage().startsWith("Column 'id' has more than 10000 levels in the baseline"),
                ids.getMessage());
        // Exactly the limit, spread over four partitions whose bins merge: compared, every level kept.
        Dataset<Row> atLimit = spark.range(0, Drift.MAX_LEVELS, 1, 4).toDF("id");
        DriftReport same = Drift.between(atLimit, atLimit).setCategorical("id").optLevels(Drift.MAX_LEVELS)
                .compute();
        assertEquals(Drift.MAX_LEVELS + 2, same.feature("id").bins().size(), "levels, (unseen) and (null)");
        assertEquals(0.0, same.feature("id").psi(), 0.0);
    }

    @Test
    void aSavedProfileGivesTheSameReportWithoutTheBaseline(@TempDir Path dir) throws Exception {
        DriftProfile profile = Drift.of(baseline).setScore("score").setNumeric("shifted", "same", "visits")
                .setCategorical("channel").profile();
        String path = dir.resolve("profile.json").toString();
        profile.save(spark, path);
        DriftProfile loaded = DriftProfile.load(spark, path);
        assertEquals(profile.json(), loaded.json(), "the JSON reads back to itself");
        assertEquals(baseline.count(), loaded.rows());
        // Against the profile, the current data is the only input, and the report is the same to
        // the last digit as the one computed from the baseline itself.
        DriftReport fromProfile = Drift.against(loaded, current).optLevels(3).compute();
        assertEquals(report.json(), fromProfile.json());

        IllegalArgumentException again = assertThrows(IllegalArgumentException.class, () -> profile.save(spark, path));
        assertTrue(again.getMessage().startsWith("A file is already at " + path), again.getMessage());
        assertThrows(IllegalStateException.class, () -> Drift.against(loaded, current).setNumeric("shifted"));
        IllegalArgumentException notAProfile = assertThrows(IllegalArgumentException.class,
                () -> DriftProfile.parse(report.json(), "drift.json"));
        assertTrue(notAProfile.getMessage().startsWith("drift.json is not a drift profile the kit can read: it has"
                + " no \"format\""), notAProfile.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Drift.against(loaded, current.drop("visits")).compute());
        assertTrue(missing.getMessage().startsWith("Column 'visits' is not in the current data"),
                missing.getMessage());
        assertThrows(IllegalStateException.class, () -> Drift.of(baseline).setNumeric("shifted").compute(),
                "no current data");
    }

    @Test
    void plotsDrawTheReportsNumbers() {
        Plot psi = DriftPlots.psi(report);
        assertArrayEquals(report.features().stream().mapToDouble(FeatureDrift::psi).toArray(),
                psi.series().get(0).y(), 0.0);
        FeatureDrift channel = report.feature("channel");
        Plot bins = DriftPlots.drift(channel);
        assertArrayEquals(channel.baselineShares(), bins.series().get(0).y(), 0.0);
        assertArrayEquals(channel.currentShares(), bins.series().get(1).y(), 0.0);
        assertEquals(1.0, java.util.Arrays.stream(channel.currentShares()).sum(), 1e-12, "every row in one bin");
        assertTrue(psi.svg().contains("<svg") && bins.svg().contains("<svg"));
    }

    @Test
    void theSummarySaysWhatMovedInWords() {
        String words = report.summary();
        assertTrue(words.startsWith("Of 5 columns, 2 reach the watch threshold (PSI 0.10): channel (PSI 0.247, watch;"
                + " 1 level the baseline never had; nulls 0.0% to "), words);
        assertTrue(words.contains("; shifted (PSI 0.237, watch; median "), words);
        assertTrue(words.endsWith("The rest stay below it; the largest is score (0.077)."), words);
        assertEquals(List.of("channel", "shifted", "same", "visits"),
                report.inputs().stream().map(FeatureDrift::feature).toList(), "the score is not an input");
    }
}
