package io.propensitykit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Note 08 run a week without a shift and then a week whose tenure moved by twelve months, the second
 * compared with the first: the drift table's tenure row and the PSI chart (through its data) are
 * listed as changed, and the columns nobody shifted are not. In the {@code cluster} profile, with
 * the slower tests ({@code mvn -Pcluster verify}).
 */
class DriftRerunSlowIT {

    private static final Path NOTE08 = Project.root().resolve("notebooks/08-did-anything-change.zpln");

    @Test
    void aTenureShiftShowsInTheDriftTableAndThePsiChart(@TempDir Path tmp) throws Exception {
        NoteRun before = new NoteRun(tmp.resolve("week1"));
        assertEquals(0, before.note(NOTE08, "-p", "rows=5000", "-p", "tenure_shift=0"), before.console());
        NoteRun after = new NoteRun(tmp.resolve("week2"));
        assertEquals(0, after.note(NOTE08, "-p", "rows=5000", "-p", "tenure_shift=12", "--compare",
                tmp.resolve("week1").toString()), after.console());
        JsonObject found = JsonParser.parseString(Files.readString(tmp.resolve("week2").resolve(RunCommand.CHANGES)))
                .getAsJsonObject();
        List<JsonObject> changes = found.getAsJsonArray("changes").asList().stream().map(JsonElement::getAsJsonObject)
                .toList();
        JsonObject psi = find(changes, "What moved?", "table row \"tenure_months / numeric\", psi");
        assertTrue(Double.parseDouble(psi.get("new").getAsString()) > 0.25, psi.toString());
        assertTrue(Double.parseDouble(psi.get("old").getAsString()) < 0.1, psi.toString());
        find(changes, "What moved?", "table row \"tenure_months / numeric\", status");
        JsonObject chart = find(changes, "PSI by column", "chart \"PSI by column");
        assertTrue(chart.get("location").getAsString().contains("series \"PSI\""), chart.toString());
        // The largest move of all is tenure's PSI, in the table or the chart.
        String first = changes.get(0).get("location").getAsString();
        assertTrue(first.contains("tenure_months") || first.startsWith("chart \"PSI by column"), first);
        // Nobody shifted recency: its drift row holds still up to sampling noise, never past the watch line.
        for (JsonObject c : changes) {
            if (c.get("location").getAsString().contains("row \"recency_days / numeric\", status")) {
                throw new AssertionError("recency's status changed: " + c);
            }
        }
        String html = after.report("08-did-anything-change");
        assertTrue(html.contains("<b>The runs used other form values</b>: <code>tenure_shift</code> 0 → 12."),
                "the comparison says the form values differ");
        assertTrue(html.contains("<span class=\"was\">was STABLE</span>"), "the table shows what the cell was");
    }

    private static JsonObject find(List<JsonObject> changes, String paragraph, String location) {
        return changes.stream().filter(c -> c.get("paragraph_title").getAsString().equals(paragraph)
                && c.get("location").getAsString().contains(location)).findFirst().orElseThrow(() ->
                        new AssertionError("no change in '" + paragraph + "' at " + location + " among "
                                + changes.stream().map(c -> c.get("paragraph_title").getAsString() + ": "
                                        + c.get("location").getAsString()).toList()));
    }
}
