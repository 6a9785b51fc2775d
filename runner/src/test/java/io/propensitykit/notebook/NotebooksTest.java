package io.propensitykit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every committed note: it imports into Zeppelin (shape, no run state), it runs headless with small
 * parameters, and its executed .zpln keeps Zeppelin's shape field by field.
 */
class NotebooksTest {

    private static final Path NOTEBOOKS = Path.of("notebooks");

    private static List<Path> notes() throws Exception {
        try (Stream<Path> list = Files.list(NOTEBOOKS)) {
            return list.filter(p -> p.toString().endsWith(".zpln")).sorted().toList();
        }
    }

    @Test
    void committedNotesCarryNoRunState() throws Exception {
        List<Path> notes = notes();
        assertFalse(notes.isEmpty(), "notebooks/ holds the project's notes");
        for (Path file : notes) {
            JsonObject note = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            assertTrue(note.get("name").getAsString().length() > 0, file + " has a name");
            for (JsonElement e : note.getAsJsonArray("paragraphs")) {
                JsonObject p = e.getAsJsonObject();
                String where = file + " paragraph " + p.get("id");
                assertTrue(p.has("text") && p.has("id") && p.has("title"), where + " has id, title and text");
                for (String runState : List.of("results", "dateStarted", "dateFinished", "status", "isRunning")) {
                    assertFalse(p.has(runState), where + " carries run state '" + runState + "'");
                }
            }
        }
    }

    @Test
    void everyNoteRunsAndItsExecutedNoteKeepsZeppelinsShape(@TempDir Path out) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // Small and non-default: other rows, seed, trim, budget and dataset than the notes' defaults.
        Path shared = Path.of("").toAbsolutePath().resolveSibling("shared").resolve("datasets");
        int status = RunCommand.run(new String[] {NOTEBOOKS.toString(), "-p", "rows=20000", "-p", "seed=7",
            "-p", "trim=0.1", "-p", "budget=500", "-p", "epochs=3", "-p", "dataset=nsw",
            "-p", "data_dir=" + (Files.isDirectory(shared) ? shared : Path.of("datasets")), "--out", out.toString(),
            "--master", "local[2]"}, new PrintStream(log, true));
        assertEquals(0, status, log.toString());
        for (Path file : notes()) {
            JsonObject source = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
            String base = file.getFileName().toString().replace(".zpln", "");
            JsonObject done = JsonParser.parseString(Files.readString(out.resolve(base + ".zpln"))).getAsJsonObject();
            assertEquals(source.get("name"), done.get("name"));
            assertEquals(source.get("id"), done.get("id"));
            assertEquals(source.getAsJsonArray("paragraphs").size(), done.getAsJsonArray("paragraphs").size());
            for (int i = 0; i < source.getAsJsonArray("paragraphs").size(); i++) {
                JsonObject before = source.getAsJsonArray("paragraphs").get(i).getAsJsonObject();
                JsonObject after = done.getAsJsonArray("paragraphs").get(i).getAsJsonObject();
                String where = base + " paragraph " + (i + 1);
                assertEquals(before.get("id"), after.get("id"), where);
                assertEquals(before.get("text"), after.get("text"), where);
                assertEquals(before.get("config"), after.get("config"), where);
                assertEquals("FINISHED", after.get("status").getAsString(), where);
                JsonObject results = after.getAsJsonObject("results");
                assertEquals("SUCCESS", results.get("code").getAsString(), where);
                for (JsonElement m : results.getAsJsonArray("msg")) {
                    String type = m.getAsJsonObject().get("type").getAsString();
                    assertTrue(List.of("TEXT", "HTML", "TABLE", "IMG").contains(type), where + ": " + type);
                    assertNotNull(m.getAsJsonObject().get("data").getAsString());
                }
                assertTrue(after.getAsJsonObject("settings").has("params"), where);
                assertTrue(after.getAsJsonObject("settings").has("forms"), where);
                assertTrue(after.get("dateStarted").getAsString().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}"));
            }
            // The executed note reads back as a note.
            assertEquals(source.getAsJsonArray("paragraphs").size(), Note.read(out.resolve(base + ".zpln"))
                    .paragraphs().size());
            assertTrue(Files.readString(out.resolve(base + ".html")).contains("<h1>"));
        }
    }
}
