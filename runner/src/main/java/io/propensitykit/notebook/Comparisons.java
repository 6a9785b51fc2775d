package io.propensitykit.notebook;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code changes.json}: what {@code kit run --compare} found in every note of the run, one entry
 * per change (note, paragraph, location, old and new value, relative move), for a pipeline to read.
 */
final class Comparisons {

    private final JsonObject root = new JsonObject();
    private final JsonArray notes = new JsonArray();
    private final JsonArray changes = new JsonArray();

    Comparisons(Path previous, double tolerance) {
        root.addProperty("previous", previous.toAbsolutePath().normalize().toString());
        JsonObject t = new JsonObject();
        t.addProperty("relative", tolerance);
        t.addProperty("absolute", RunCommand.ABSOLUTE_TOLERANCE);
        root.add("tolerance", t);
        root.add("notes", notes);
        root.add("changes", changes);
    }

    /**
     * Adds one note's comparison.
     *
     * @param note the note
     * @param report its report's file name
     * @param result what changed
     */
    void add(Note note, String report, NoteComparison.Result result) {
        JsonObject n = new JsonObject();
        n.addProperty("note", note.name());
        n.addProperty("report", report);
        n.addProperty("previous_started", result.previousStarted() == null ? null
                : result.previousStarted().toString());
        n.add("params_before", params(result.previousParams()));
        n.add("params_after", params(result.currentParams()));
        n.addProperty("params_differ", result.paramsDiffer());
        n.addProperty("changes", result.changes().size());
        notes.add(n);
        for (NoteComparison.Change c : result.changes()) {
            JsonObject o = new JsonObject();
            o.addProperty("note", note.name());
            o.addProperty("paragraph", c.paragraph() < 0 ? null : c.paragraph() + 1);
            o.addProperty("paragraph_title", c.paragraphLabel());
            o.addProperty("paragraph_id", c.paragraphId());
            o.addProperty("kind", c.kind().name().toLowerCase(Locale.ROOT));
            o.addProperty("location", c.location());
            o.addProperty("old", c.before());
            o.addProperty("new", c.after());
            if (Double.isFinite(c.move())) {
                o.addProperty("relative_move", c.move());
            } else {
                o.add("relative_move", JsonNull.INSTANCE);
            }
            changes.add(o);
        }
    }

    /**
     * Writes the file, replacing an earlier run's.
     *
     * @param file {@code changes.json} in {@code --out}
     * @throws IOException if it cannot be written
     */
    void write(Path file) throws IOException {
        Files.writeString(file, Note.GSON.toJson(root) + "\n", StandardCharsets.UTF_8);
    }

    private static JsonObject params(Map<String, String> params) {
        JsonObject o = new JsonObject();
        params.forEach(o::addProperty);
        return o;
    }
}
