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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every committed note: it imports into Zeppelin (shape, no run state), it runs headless with small
 * parameters, and its executed .zpln keeps Zeppelin's shape field by field.
 */
class NotebooksTest {

    private static final Path NOTEBOOKS = Project.root().resolve("notebooks");

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
    void noNoteNamesAPathIntoTheProject() throws Exception {
        for (Path file : notes()) {
            String text = Files.readString(file);
            for (String path : List.of("datasets/", "kit/src", "reports/", "target/")) {
                assertFalse(text.contains(path), file.getFileName() + " names a path into the project: " + path);
            }
        }
    }

    /**
     * Every note runs in a JVM started in a fresh directory outside the project, as Zeppelin starts its
     * interpreter in its own directory: a note that reads a project-relative path fails here.
     */
    @Test
    void everyNoteRunsAndItsExecutedNoteKeepsZeppelinsShape(@TempDir Path tmp) throws Exception {
        Path cwd = Files.createDirectories(tmp.resolve("elsewhere"));
        Path out = tmp.resolve("out");
        // Small and non-default: other rows, seed, trim, budget and dataset than the notes' defaults.
        Path shared = Project.root().resolveSibling("shared").resolve("datasets");
        Path console = tmp.resolve("console.txt");
        Process run = Project.kitRun(cwd, console, NOTEBOOKS.toString(), "-p", "rows=20000", "-p", "seed=7",
                "-p", "trim=0.1", "-p", "budget=500", "-p", "epochs=3", "-p", "dataset=nsw",
                "-p", "refit_replicates=20",
                "-p", "data_dir=" + (Files.isDirectory(shared) ? shared : tmp.resolve("no-datasets")),
                "-p", "work_dir=" + tmp.resolve("work"), "--out", out.toString(), "--master", "local[2]");
        assertTrue(run.waitFor(10, java.util.concurrent.TimeUnit.MINUTES), "kit run ends");
        assertEquals(0, run.exitValue(), Files.readString(console));
        try (Stream<Path> left = Files.list(cwd)) {
            assertEquals(List.of(), left.toList(), "nothing is written to the working directory");
        }
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
