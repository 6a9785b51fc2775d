package io.propensitykit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kit run --compare}: the weekly rerun of a note against last week's {@code --out}. Note 05
 * is run three times on small data: twice alike (no change, whatever the timings), then with twice
 * the budget (the cutoff, the responders and the lift move, and the gate exits 3).
 */
class RunCompareTest extends NoteRunTestBase {

    private static final Path NOTE05 = Project.root().resolve("notebooks/05-distributions-targeting.zpln");

    @Test
    void aRerunSaysWhatChangedSinceTheLastRunAndGatesOnIt() throws Exception {
        Path first = tmp.resolve("first");
        NoteRun week1 = new NoteRun(first);
        assertEquals(0, week1.note(NOTE05, "-p", "rows=5000", "-p", "budget=500"), week1.console());

        // The same note, seed and values: timings and dates differ, nothing else.
        NoteRun same = new NoteRun(tmp.resolve("same"));
        assertEquals(0, same.note(NOTE05, "-p", "rows=5000", "-p", "budget=500", "--compare", first.toString(),
                "--fail-on-change", "0.001"), same.console());
        assertTrue(same.console().contains("05 Score distributions and targeting: no change since the run of "),
                same.console());
        JsonObject unchanged = changes(tmp.resolve("same"));
        assertEquals(0, unchanged.getAsJsonArray("changes").size(), unchanged.toString());
        assertFalse(unchanged.getAsJsonArray("notes").get(0).getAsJsonObject().get("params_differ").getAsBoolean());
        assertTrue(same.report("05-distributions-targeting").contains("<p>Nothing changed.</p>"));
        assertTrue(Files.readString(tmp.resolve("same").resolve(RunCommand.INDEX)).contains("<td class=\"num\">none</td>"),
                "the index says no value changed");

        // Twice the budget: the cutoff falls, more responders, a lower lift.
        NoteRun week2 = new NoteRun(tmp.resolve("week2"));
        int status = week2.note(NOTE05, "-p", "rows=5000", "-p", "budget=1000", "--compare", first.toString(),
                "--fail-on-change", "0.05");
        assertEquals(RunCommand.CHANGED, status, week2.console());
        assertTrue(week2.console().contains("kit run: a result changed by more than --fail-on-change 0.05 since "),
                week2.console());
        JsonObject found = changes(tmp.resolve("week2"));
        JsonObject note = found.getAsJsonArray("notes").get(0).getAsJsonObject();
        assertTrue(note.get("params_differ").getAsBoolean());
        assertEquals("500", note.getAsJsonObject("params_before").get("budget").getAsString());
        assertEquals("1000", note.getAsJsonObject("params_after").get("budget").getAsString());
        double cutoff = moved(found, "customers scoring at least …", -1);
        double responders = moved(found, "expect … responders", +1);
        double lift = moved(found, "a lift of …", -1);
        assertTrue(cutoff > 0 && responders > 0.05 && lift > 0, found.toString());
        // Every change is in the paragraph the budget feeds; the data, deciles and charts did not move.
        for (JsonElement c : found.getAsJsonArray("changes")) {
            assertEquals("From budget to cutoff", c.getAsJsonObject().get("paragraph_title").getAsString(), c.toString());
        }
        String html = week2.report("05-distributions-targeting");
        int top = html.indexOf("What changed since the run of ");
        assertTrue(top > 0 && top < html.indexOf("<section id=\"p1\">"), "the changes come before the paragraphs");
        assertTrue(html.contains("<b>The runs used other form values</b>: <code>budget</code> 500 → 1000."), html);
        assertTrue(html.contains("<a class=\"changed-mark\" href=\"#changes\">changed: "), "the paragraph is marked");
        String index = Files.readString(tmp.resolve("week2").resolve(RunCommand.INDEX));
        assertTrue(index.contains("<th class=\"num\">Changed since previous</th>"), index);
        assertTrue(index.contains("#changes\">" + found.getAsJsonArray("changes").size() + "</a>"), index);
    }

    /**
     * A paragraph that fails in the second run comes first among the changes, though numbers moved
     * too; the run exits 1 (a failure) rather than 3. PREVIOUS_OUT is the same folder as --out: the
     * earlier executed note is read before it is replaced.
     */
    @Test
    void aParagraphThatFailsNowIsListedFirst() throws Exception {
        Path note = Notes.named("Weekly")
                .paragraph("Count", "%spark\nval n = z.textbox(\"n\", \"3\").toString.toInt\nprintln(s\"counted ${n * 100} rows\")")
                .paragraph("Check", "%spark\nif (z.textbox(\"fail\", \"no\").toString == \"yes\") throw new IllegalStateException("
                        + "\"the input is empty\")\nprintln(\"checked\")")
                .write(tmp, "weekly.zpln");
        assertEquals(0, kit.note(note), kit.console());
        int status = kit.note(note, "-p", "n=4", "-p", "fail=yes", "--compare", tmp.resolve("out").toString(),
                "--fail-on-change", "0.5");
        assertEquals(1, status, kit.console());
        JsonArray changes = changes(tmp.resolve("out")).getAsJsonArray("changes");
        JsonObject firstChange = changes.get(0).getAsJsonObject();
        assertEquals("status", firstChange.get("kind").getAsString(), changes.toString());
        assertEquals("Check", firstChange.get("paragraph_title").getAsString());
        assertEquals("FINISHED", firstChange.get("old").getAsString());
        assertEquals("ERROR", firstChange.get("new").getAsString());
        JsonObject count = changes.get(1).getAsJsonObject();
        assertEquals("number", count.get("kind").getAsString(), changes.toString());
        assertEquals("300", count.get("old").getAsString());
        assertEquals("400", count.get("new").getAsString());
        assertEquals(1.0 / 3, count.get("relative_move").getAsDouble(), 1e-12);
        String html = kit.report("weekly");
        assertTrue(html.indexOf("<tr class=\"status-change\">") < html.indexOf("counted …"), "the failure first");
    }

    @Test
    void theComparisonOptionsAreChecked() throws Exception {
        Path note = Notes.named("Tiny").paragraph("Hello", "%md\nhello").write(tmp, "tiny.zpln");
        assertEquals(2, kit.note(note, "--fail-on-change", "0.1"));
        assertTrue(kit.console().contains("--fail-on-change needs --compare PREVIOUS_OUT"), kit.console());
        assertEquals(2, kit.note(note, "--compare", tmp.resolve("nowhere").toString()));
        assertTrue(kit.console().contains("is not a folder; give the --out folder of an earlier kit run"),
                kit.console());
        assertEquals(2, kit.note(note, "--compare", tmp.toString(), "--tolerance", "-1"));
        // A folder without this note's earlier run: said, and the run goes on.
        kit.clearConsole();
        assertEquals(0, kit.note(note, "--compare", Files.createDirectories(tmp.resolve("empty")).toString()));
        assertTrue(kit.console().contains("Tiny: no earlier run of this note in "), kit.console());
        assertFalse(Files.exists(tmp.resolve("out").resolve(RunCommand.CHANGES)), "nothing compared, nothing written");
    }

    /**
     * The relative move of the change whose location holds {@code words}, checked against its old and
     * new values and the direction expected ({@code -1} down, {@code +1} up).
     */
    private static double moved(JsonObject found, String words, int direction) {
        List<String> seen = new ArrayList<>();
        for (JsonElement e : found.getAsJsonArray("changes")) {
            JsonObject c = e.getAsJsonObject();
            seen.add(c.get("location").getAsString());
            if (c.get("location").getAsString().contains(words)) {
                double before = Double.parseDouble(c.get("old").getAsString().replace(",", ""));
                double after = Double.parseDouble(c.get("new").getAsString().replace(",", ""));
                assertNotEquals(before, after);
                assertEquals(direction, (int) Math.signum(after - before), words + ": " + before + " -> " + after);
                assertEquals(Math.abs(after - before) / Math.abs(before), c.get("relative_move").getAsDouble(), 1e-12);
                return c.get("relative_move").getAsDouble();
            }
        }
        throw new AssertionError("no change at '" + words + "' among " + seen);
    }

    private static JsonObject changes(Path out) throws Exception {
        return JsonParser.parseString(Files.readString(out.resolve(RunCommand.CHANGES))).getAsJsonObject();
    }
}
