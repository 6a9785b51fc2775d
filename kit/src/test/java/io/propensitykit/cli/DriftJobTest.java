package io.propensitykit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kit drift} end to end on generated customers: last week's, this week's from another seed,
 * and this week's with tenure moved up by 12 months. The exit status gates on {@code --fail-above};
 * the shifted feature ranks first among the features and no other feature reaches the watch
 * threshold.
 */
class DriftJobTest extends SharedSpark {

    private static final String MODEL = "classpath:models/retail_mlp.pt";

    @TempDir
    static Path tmp;

    private static String baseline;
    private static String steady;
    private static String shifted;

    @BeforeAll
    static void weeks() {
        baseline = tmp.resolve("week47.parquet").toString();
        steady = tmp.resolve("week48.parquet").toString();
        shifted = tmp.resolve("week48-tenure.parquet").toString();
        RetailGenerator.builder().optRows(30_000).optSeed(47).build().generate(spark).write().parquet(baseline);
        RetailGenerator.builder().optRows(30_000).optSeed(48).build().generate(spark).write().parquet(steady);
        spark.read().parquet(steady).withColumn("tenure_months", functions.col("tenure_months").plus(12))
                .write().parquet(shifted);
    }

    private record Outcome(int status, String err) {}

    private static Outcome drift(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int status = Cli.execute(new DriftJob(stream), stream, stream, args);
        return new Outcome(status, bytes.toString(StandardCharsets.UTF_8));
    }

    private static List<JsonObject> features(Path out) throws IOException {
        JsonArray list = JsonParser.parseString(Files.readString(out.resolve("drift.json"))).getAsJsonObject()
                .getAsJsonArray("features");
        List<JsonObject> features = new ArrayList<>();
        for (JsonElement e : list) {
            if (!e.getAsJsonObject().get("kind").getAsString().equals("score")) {
                features.add(e.getAsJsonObject());
            }
        }
        return features;
    }

    @Test
    void aShiftedFeatureRanksFirstAndFailsTheGate() throws IOException {
        Path out = tmp.resolve("drift-shifted");
        Outcome o = drift("--model", MODEL, "--baseline", baseline, "--current", shifted, "--out", out.toString(),
                "--fail-above", "0.25");
        assertEquals(DriftJob.DRIFTED, o.status(), o.err());
        List<JsonObject> features = features(out);
        assertEquals("tenure_months", features.get(0).get("feature").getAsString(), o.err());
        assertTrue(features.get(0).get("psi").getAsDouble() > 0.25, features.get(0).toString());
        for (JsonObject f : features.subList(1, features.size())) {
            assertTrue(f.get("psi").getAsDouble() < 0.1, "an unshifted feature stays below 0.1: " + f);
        }
        assertTrue(o.err().contains("above --fail-above 0.25"), o.err());
        String html = Files.readString(out.resolve("drift.html"));
        assertTrue(html.contains("Moved: tenure_months (PSI") && html.contains("<svg"), html.substring(0, 600));

        // The next run takes the baseline's profile instead of the baseline: same report, same gate.
        Path profile = out.resolve(DriftJob.PROFILE);
        Path again = tmp.resolve("drift-shifted-profile");
        Outcome fromProfile = drift("--model", MODEL, "--baseline", profile.toString(), "--current", shifted,
                "--out", again.toString(), "--fail-above", "0.25");
        assertEquals(DriftJob.DRIFTED, fromProfile.status(), fromProfile.err());
        assertEquals(Files.readString(out.resolve("drift.json")), Files.readString(again.resolve("drift.json")));
        assertFalse(Files.exists(again.resolve(DriftJob.PROFILE)), "a profile is not written again");
        assertTrue(Files.readString(again.resolve("drift.html")).contains("Baseline profile <code>" + profile),
                "the page says its baseline was a profile");
        Outcome otherScore = drift("--model", MODEL, "--baseline", profile.toString(), "--current", shifted,
                "--out", tmp.resolve("never").toString(), "--score-col", "p");
        assertEquals(Cli.USAGE, otherScore.status(), otherScore.err());
        assertTrue(otherScore.err().contains("with --score-col p compares"), otherScore.err());
        // The library names the call that writes a profile; the command names itself instead.
        Path broken = Files.writeString(tmp.resolve("broken-profile.json"), "{\"format\": 1}");
        Outcome notAProfile = drift("--model", MODEL, "--baseline", broken.toString(), "--current", shifted,
                "--out", tmp.resolve("never2").toString());
        assertEquals(Cli.FAILED, notAProfile.status(), notAProfile.err());
        assertTrue(notAProfile.err().contains("is not a drift profile the kit can read")
                && notAProfile.err().contains("Write one with kit drift (baseline-profile.json in its --out)")
                && !notAProfile.err().contains("Drift.forModel"), notAProfile.err());
    }

    /**
     * With the baseline's outcomes, the report adds what the current scores should achieve before
     * their outcomes arrive: the expected AUC lands within 0.02 of the AUC the withheld labels give
     * (computed here apart, by BinaryMetrics), and the gate on it exits 3.
     */
    @Test
    void theBaselinesLabelsGiveTheExpectedAucOfAnUnlabelledWeek() throws IOException {
        Path unlabelled = tmp.resolve("week48-no-labels.parquet");
        spark.read().parquet(steady).drop("purchased").write().parquet(unlabelled.toString());
        Path out = tmp.resolve("drift-expected");
        Outcome o = drift("--model", MODEL, "--baseline", baseline, "--current", unlabelled.toString(), "--out",
                out.toString(), "--reference-labels", "purchased", "--master", "local[2]");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.err().contains("kit drift: expected of the current scores: AUC 0."), o.err());
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("drift.json"))).getAsJsonObject();
        io.propensitykit.model.PropensityModel model = io.propensitykit.spark.Propensity.load(spark, MODEL);
        double realized = io.propensitykit.metrics.BinaryMetrics.of(io.propensitykit.spark.Propensity.score(
                spark.read().parquet(steady), model), "propensity", "purchased").rocAuc();
        assertEquals(realized, json.get("expected_auc").getAsDouble(), 0.02, json.toString());
        assertTrue(json.has("expected_rate") && json.has("expected_lift") && json.has("baseline_auc")
                && json.has("reference_ece"), json.keySet().toString());
        assertFalse(json.has("realized_auc"), "the current has no labels");
        assertTrue(Files.readString(out.resolve("drift.html")).contains("Are the scores still good? (before outcomes)"));

        Outcome gated = drift("--model", MODEL, "--baseline", baseline, "--current", unlabelled.toString(), "--out",
                tmp.resolve("drift-expected-gate").toString(), "--reference-labels", "purchased", "--fail-below-auc",
                "0.99", "--master", "local[2]");
        assertEquals(DriftJob.DRIFTED, gated.status(), gated.err());
        assertTrue(gated.err().contains("is below --fail-below-auc 0.99"), gated.err());
        Outcome alone = drift("--model", MODEL, "--baseline", baseline, "--current", steady, "--out",
                tmp.resolve("y").toString(), "--fail-below-auc", "0.7");
        assertEquals(Cli.USAGE, alone.status());
        assertTrue(alone.err().contains("--fail-below-auc needs --reference-labels COL"), alone.err());
    }

    /** A tenure shift in tablets alone: the segments say where, drift.json lists every cell. */
    @Test
    void segmentsSayWhereTheDriftIs() throws IOException {
        Path tablets = tmp.resolve("week48-tablets.parquet");
        spark.read().parquet(steady).withColumn("tenure_months", functions.when(functions.col("device")
                .equalTo("tablet"), functions.col("tenure_months").plus(24)).otherwise(functions.col("tenure_months")))
                .write().parquet(tablets.toString());
        Path out = tmp.resolve("drift-segments");
        Outcome o = drift("--model", MODEL, "--baseline", baseline, "--current", tablets.toString(), "--out",
                out.toString(), "--segment", "device", "--master", "local[2]");
        assertEquals(0, o.status(), o.err());
        assertTrue(o.err().contains("kit drift: by device: tablet moved: tenure_months (PSI "), o.err());
        JsonObject segments = JsonParser.parseString(Files.readString(out.resolve("drift.json"))).getAsJsonObject()
                .getAsJsonObject("segments");
        List<String> flagged = new ArrayList<>();
        for (JsonElement e : segments.getAsJsonArray("cells")) {
            JsonObject c = e.getAsJsonObject();
            if (c.get("flagged").getAsBoolean()) {
                flagged.add(c.get("segment").getAsString() + ":" + c.get("feature").getAsString());
            }
        }
        assertEquals(List.of("tablet:tenure_months"), flagged, segments.get("summary").getAsString());
        assertEquals(3 * 12, segments.getAsJsonArray("cells").size(), "3 devices × 11 features and the score");
        assertTrue(Files.readString(out.resolve("drift.html")).contains("<h2>Within segments</h2>"));
        Outcome profiled = drift("--model", MODEL, "--baseline", tmp.resolve("drift-segments").resolve(
                DriftJob.PROFILE).toString(), "--current", tablets.toString(), "--out", tmp.resolve("z").toString(),
                "--segment", "device");
        assertEquals(Cli.USAGE, profiled.status());
        assertTrue(profiled.err().contains("a profile"), profiled.err());
    }

    @Test
    void aSteadyWeekPassesTheGate() throws IOException {
        Path out = tmp.resolve("drift-steady");
        Outcome o = drift("--model", MODEL, "--baseline", baseline, "--current", steady, "--out", out.toString(),
                "--fail-above", "0.25");
        assertEquals(Cli.OK, o.status(), o.err());
        for (JsonObject f : features(out)) {
            assertTrue(f.get("psi").getAsDouble() < 0.1, "two seeds of the same generator: " + f);
        }
        assertTrue(o.err().contains("0 to act on"), o.err());
    }

    @Test
    void mistakesAreRefusedBeforeAnythingIsWritten() throws IOException {
        Outcome negative = drift("--model", MODEL, "--baseline", baseline, "--current", steady, "--out",
                tmp.resolve("x").toString(), "--fail-above", "-1");
        assertEquals(Cli.USAGE, negative.status(), negative.err());
        assertTrue(negative.err().startsWith("kit drift: Invalid value for option '--fail-above': -1.0 is not a PSI"),
                negative.err());
        Outcome inside = drift("--model", MODEL, "--baseline", baseline, "--current", steady, "--out",
                steady + "/drift");
        assertEquals(Cli.FAILED, inside.status(), inside.err());
        assertTrue(inside.err().contains("overlaps the input"), inside.err());
        Path existing = Files.createDirectories(tmp.resolve("kept"));
        Files.writeString(existing.resolve("notes.txt"), "mine");
        Outcome kept = drift("--model", MODEL, "--baseline", baseline, "--current", steady, "--out",
                existing.toString());
        assertEquals(Cli.FAILED, kept.status(), kept.err());
        assertEquals("mine", Files.readString(existing.resolve("notes.txt")));
        assertFalse(Files.exists(tmp.resolve("x")), "a usage error writes nothing");
    }

    @Test
    void aBaselineInsideTheOutputThroughALinkSurvivesOverwrite() throws IOException {
        // Last week's run keeps its data in its --out; this week reaches it through a link elsewhere.
        Path out = Files.createDirectories(tmp.resolve("drift-linked"));
        Path kept = out.resolve("week47.parquet");
        spark.read().parquet(baseline).write().parquet(kept.toString());
        Path link = Files.createSymbolicLink(tmp.resolve("week47-link"), kept);
        Outcome o = drift("--model", MODEL, "--baseline", link.toString(), "--current", steady, "--out",
                out.toString(), "--overwrite");
        assertEquals(Cli.FAILED, o.status(), o.err());
        assertTrue(o.err().contains("kit drift: error: --out " + out + " overlaps the input " + link
                + " (through a symbolic link: " + link + " is " + kept.toRealPath() + "): writing there would"
                + " destroy"), o.err());
        assertEquals(30_000, spark.read().parquet(kept.toString()).count(), "the baseline is untouched");
    }

    @Test
    void aScoreColumnOutsideZeroOneIsRefused() throws IOException {
        Path scored = tmp.resolve("week48-bad-scores.parquet");
        spark.read().parquet(steady).withColumn("propensity", functions.when(functions.col("customer_id").mod(10)
                .equalTo(0), 7.5).otherwise(0.3)).write().parquet(scored.toString());
        Path out = tmp.resolve("drift-bad-scores");
        Outcome o = drift("--model", MODEL, "--baseline", baseline, "--current", scored.toString(), "--out",
                out.toString());
        assertEquals(Cli.FAILED, o.status(), o.err());
        assertTrue(o.err().contains("kit drift: error: the current's 'propensity' holds 3,000 of 30,000 scores outside"
                + " [0, 1] (for example 7.5): a score is a probability."), o.err());
        assertFalse(Files.exists(out.resolve("drift.json")), "no report from scores that cannot be right");
    }
}
