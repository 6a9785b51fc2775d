package io.propensitykit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.notebook.NoteComparison.Change;
import io.propensitykit.notebook.NoteComparison.Kind;
import io.propensitykit.notebook.NoteComparison.Result;
import io.propensitykit.notebook.NoteComparison.Tolerance;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The comparison of two executed notes, on notes written here: what counts as a change, what never
 * does, and the order a reader sees. The expected moves are worked out by hand in each test.
 */
class NoteComparisonTest {

    private static final Tolerance TIGHT = new Tolerance(1e-9, 1e-12);

    @Test
    void timingsDatesHashesAndPathsNeverCount() {
        JsonObject a = note(paragraph("p1", "Score", "FINISHED", "2026-12-01 09:00:00.000",
                text("scored 200,000 customers in 3.2 s (62,500 rows/s) at 2026-12-01 09:00:01\n"
                        + "model from file:/tmp/run-1/kit.jar, cache /tmp/ci1/work/x, session local-1796646714459\n"
                        + "res3: Model = io.propensitykit.Model@1a2b3c4d, took 812 ms, ready at 09:00:04\n"
                        + "the row UDF was 8&times; slower, 3.5× faster batched")));
        JsonObject b = note(paragraph("p1", "Score", "FINISHED", "2026-12-08 09:00:00.000",
                text("scored 200,000 customers in 41.7 s (4,796 rows/s) at 2026-12-08 10:31:59\n"
                        + "model from file:/home/ci/kit.jar, cache /var/tmp/w2/y, session local-1797000000000\n"
                        + "res3: Model = io.propensitykit.Model@9f8e7d6c, took 1.4 min, ready at 10:32:04\n"
                        + "the row UDF was 6&times; slower, 4× faster batched")));
        Result r = NoteComparison.compare(a, b, TIGHT);
        assertEquals(List.of(), r.changes());
        assertEquals(2026, r.previousStarted().getYear());
    }

    @Test
    void aMovedNumberInTextIsListedWithItsWordsAndItsMove() {
        JsonObject a = note(paragraph("p1", "Cutoff", "FINISHED", null,
                html("<p>Contact the <b>10,000</b> customers scoring at least <b>0.477</b>: a lift of <b>6.27</b>.</p>")));
        JsonObject b = note(paragraph("p1", "Cutoff", "FINISHED", null,
                html("<p>Contact the <b>10,000</b> customers scoring at least <b>0.391</b>: a lift of <b>6.27</b>.</p>")));
        Result r = NoteComparison.compare(a, b, TIGHT);
        assertEquals(1, r.changes().size(), r.changes().toString());
        Change c = r.changes().get(0);
        assertEquals(Kind.NUMBER, c.kind());
        assertEquals("text \"customers scoring at least …: a lift of\"", c.location());
        assertEquals("0.477", c.before());
        assertEquals("0.391", c.after());
        assertEquals((0.477 - 0.391) / 0.477, c.move(), 1e-12);
        assertEquals("Cutoff", c.paragraphLabel());
        assertEquals(0, c.paragraph());
        // Within the tolerance it is the same number.
        assertEquals(List.of(), NoteComparison.compare(a, b, new Tolerance(0.2, 0)).changes());
    }

    @Test
    void tablesMatchRowsByTheirKeysNotTheirPlace() {
        JsonObject a = note(paragraph("p1", "Drift", "FINISHED", null,
                table("feature\tkind\tpsi\tstatus\ntenure_months\tnumeric\t0.0015\tSTABLE\nrecency\tnumeric\t0.0011\t"
                        + "STABLE\nchannel\tcategorical\t0.0001\tSTABLE\n")));
        // Rows in another order, tenure moved, channel gone, device new.
        JsonObject b = note(paragraph("p1", "Drift", "FINISHED", null,
                table("feature\tkind\tpsi\tstatus\nrecency\tnumeric\t0.0011\tSTABLE\ntenure_months\tnumeric\t3.2832\tACT\n"
                        + "device\tcategorical\t0.0002\tSTABLE\n")));
        Result r = NoteComparison.compare(a, b, TIGHT);
        List<String> where = r.changes().stream().map(c -> c.location() + ": " + c.before() + " -> " + c.after()).toList();
        assertEquals(List.of("table row \"tenure_months / numeric\", psi: 0.0015 -> 3.2832",
                "table row \"device / categorical\": null -> added",
                "table row \"channel / categorical\": present -> removed",
                "table row \"tenure_months / numeric\", status: STABLE -> ACT"), where);
        assertEquals((3.2832 - 0.0015) / 0.0015, r.changes().get(0).move(), 1e-9);
        // The report shows the old value in this run's cell: row 1 (tenure), columns psi (2) and status (3).
        assertEquals("0.0015", r.cellsBefore().get("p1#0").get("1:2"));
        assertEquals("STABLE", r.cellsBefore().get("p1#0").get("1:3"));
    }

    @Test
    void aTableWithNumbersOnlyIsKeyedByADistinctFirstColumn() {
        JsonObject a = note(paragraph("p1", "Deciles", "FINISHED", null,
                table("decile\tn\trate\n1\t20,094\t0.4907\n2\t19,945\t0.2207\n")));
        JsonObject b = note(paragraph("p1", "Deciles", "FINISHED", null,
                table("decile\tn\trate\n2\t19,945\t0.2207\n1\t20,094\t0.5012\n")));
        Result r = NoteComparison.compare(a, b, TIGHT);
        assertEquals(1, r.changes().size(), r.changes().toString());
        assertEquals("table row \"1\", rate", r.changes().get(0).location());
    }

    @Test
    void chartsAreComparedThroughTheirDataNotTheirSvg() {
        String svgA = "<svg><text>0.0</text><text>0.5</text><rect width=\"12.3\"/></svg>";
        String svgB = "<svg><text>0.0</text><text>0.6</text><rect width=\"45.6\"/></svg>";
        JsonObject a = note(paragraph("p1", "PSI", "FINISHED", null, html(chart(svgA, "[0.0015, 0.0013]"))));
        JsonObject same = note(paragraph("p1", "PSI", "FINISHED", null, html(chart(svgB, "[0.0015, 0.0013]"))));
        assertEquals(List.of(), NoteComparison.compare(a, same, TIGHT).changes(), "the SVG alone differs");
        JsonObject moved = note(paragraph("p1", "PSI", "FINISHED", null, html(chart(svgA, "[3.2832, 0.0013]"))));
        Result r = NoteComparison.compare(a, moved, TIGHT);
        assertEquals(1, r.changes().size(), r.changes().toString());
        assertEquals("chart \"PSI by column\", series \"PSI\", point 1 at x 1", r.changes().get(0).location());
        assertEquals("0.0015", r.changes().get(0).before());
        assertEquals("3.2832", r.changes().get(0).after());
    }

    @Test
    void aFailureComesFirstAndTextChangesAfterTheNumbers() {
        JsonObject a = note(paragraph("p1", "Load", "FINISHED", null, text("loaded 500 rows")),
                paragraph("p2", "Fit", "FINISHED", null, text("AUC 0.80\nmodel: logistic")));
        JsonObject b = note(paragraph("p1", "Load", "ERROR", null, text("java.io.FileNotFoundException: customers")),
                paragraph("p2", "Fit", "FINISHED", null, text("AUC 0.95\nmodel: mlp")));
        Result r = NoteComparison.compare(a, b, TIGHT);
        assertEquals(Kind.STATUS, r.changes().get(0).kind());
        assertEquals("FINISHED", r.changes().get(0).before());
        assertEquals("ERROR", r.changes().get(0).after());
        assertEquals(Kind.NUMBER, r.changes().get(1).kind(), r.changes().toString());
        assertEquals("0.80", r.changes().get(1).before());
        assertTrue(r.changes().stream().skip(2).allMatch(c -> c.kind() == Kind.TEXT), r.changes().toString());
        // With no number moved, the text itself: the line that differs.
        JsonObject c = note(paragraph("p2", "Fit", "FINISHED", null, text("AUC 0.80\nmodel: mlp")));
        Result words = NoteComparison.compare(note(a.getAsJsonArray("paragraphs").get(1).getAsJsonObject()), c, TIGHT);
        assertEquals(1, words.changes().size(), words.changes().toString());
        assertEquals("text, line 2", words.changes().get(0).location());
        assertEquals("model: logistic", words.changes().get(0).before());
        assertEquals("model: mlp", words.changes().get(0).after());
    }

    @Test
    void paragraphsMatchByIdThenTitle() {
        JsonObject a = note(paragraph("old-id", "Lift", "FINISHED", null, text("lift 4.81")),
                paragraph("p9", "Dropped", "FINISHED", null, text("x")));
        JsonObject b = note(paragraph("new-id", "Lift", "FINISHED", null, text("lift 4.81")),
                paragraph("p10", "Added", "FINISHED", null, text("y")));
        Result r = NoteComparison.compare(a, b, TIGHT);
        List<String> seen = r.changes().stream().map(c -> c.paragraphLabel() + ": " + c.after()).toList();
        assertEquals(List.of("Added: new in this run", "Dropped: null"), seen);
        assertEquals(-1, r.changes().get(1).paragraph());
    }

    @Test
    void aNoteAddsVolatilePatternsOfItsOwn() {
        JsonObject a = note(paragraph("p1", "Run", "FINISHED", null, text("run id 8812 scored 500 rows")));
        JsonObject b = note(paragraph("p1", "Run", "FINISHED", null, text("run id 9431 scored 500 rows")));
        assertEquals(1, NoteComparison.compare(a, b, TIGHT).changes().size());
        JsonObject config = new JsonObject();
        JsonArray patterns = new JsonArray();
        patterns.add("run id \\d+");
        config.add(NoteComparison.VOLATILE_KEY, patterns);
        b.add("config", config);
        assertEquals(List.of(), NoteComparison.compare(a, b, TIGHT).changes());
        patterns.set(0, new com.google.gson.JsonPrimitive("run id (\\d+"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> NoteComparison.compare(a, b, TIGHT));
        assertTrue(bad.getMessage().startsWith("The note's config \"kit.compare.volatile\" holds \"run id (\\\\d+\","
                + " which is not a regular expression"), bad.getMessage());
    }

    @Test
    void numbersAreReadAsPeopleWriteThem() {
        assertEquals(20094.0, NoteComparison.number("20,094"));
        assertEquals(12.5, NoteComparison.number("12.5%"));
        assertEquals(-0.0556, NoteComparison.number("-0.0556"));
        assertEquals(9.4333e148, NoteComparison.number("9.4333e+148"));
        assertTrue(NoteComparison.number("NaN").isNaN());
        assertNull(NoteComparison.number("tenure_months"));
        assertNull(NoteComparison.number("x1"));
        assertNull(NoteComparison.number(null));
    }

    // ---- notes written here, in the shape kit run writes them

    private static JsonObject note(JsonObject... paragraphs) {
        JsonObject note = new JsonObject();
        note.addProperty("name", "test");
        JsonArray list = new JsonArray();
        for (JsonObject p : paragraphs) {
            list.add(p);
        }
        note.add("paragraphs", list);
        return note;
    }

    private static JsonObject paragraph(String id, String title, String status, String started, JsonObject... msgs) {
        JsonObject p = new JsonObject();
        p.addProperty("id", id);
        p.addProperty("title", title);
        p.addProperty("text", "%spark\nprintln(1)");
        p.addProperty("status", status);
        if (started != null) {
            p.addProperty("dateStarted", started);
            p.addProperty("dateFinished", started);
        }
        JsonObject results = new JsonObject();
        results.addProperty("code", status.equals("ERROR") ? "ERROR" : "SUCCESS");
        JsonArray list = new JsonArray();
        for (JsonObject m : msgs) {
            list.add(m);
        }
        results.add("msg", list);
        p.add("results", results);
        return p;
    }

    private static JsonObject text(String data) {
        return msg("TEXT", data);
    }

    private static JsonObject html(String data) {
        return msg("HTML", data);
    }

    private static JsonObject table(String data) {
        return msg("TABLE", data);
    }

    private static JsonObject msg(String type, String data) {
        JsonObject m = new JsonObject();
        m.addProperty("type", type);
        m.addProperty("data", data);
        return m;
    }

    /** A chart as the kit writes it: the SVG, then its data as JSON. */
    private static String chart(String svg, String y) {
        return "<div class=\"kit-plot\">" + svg + "<script type=\"application/json\" class=\"kit-plot-data\">"
                + "{\"title\":\"PSI by column\",\"series\":[{\"name\":\"PSI\",\"x\":[1.0,2.0],\"y\":" + y + "}]}"
                + "</script></div>";
    }
}
