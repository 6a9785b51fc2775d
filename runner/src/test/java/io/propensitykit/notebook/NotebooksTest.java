package io.propensitykit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
     * HTML in a note comes from {@code Display.html}: values from data fill a template and are
     * escaped, and a template the author interpolates splices only formatted numbers ({@code $x%.3f},
     * {@code ${a / b}%,d}), never text. No paragraph writes an output marker such as {@code %html}
     * into a string by hand.
     */
    @Test
    void notesWriteHtmlOnlyAroundEscapedValuesOrFormattedNumbers() throws Exception {
        int spliced = 0;
        for (Path file : notes()) {
            for (JsonElement e : JsonParser.parseString(Files.readString(file)).getAsJsonObject()
                    .getAsJsonArray("paragraphs")) {
                String text = e.getAsJsonObject().get("text").getAsString();
                String where = file.getFileName() + " paragraph '" + e.getAsJsonObject().get("title").getAsString() + "'";
                assertFalse(text.matches("(?s).*\"\\s*%(html|table|angular).*"), where + " writes an output marker by hand");
                for (int at = text.indexOf("Display.html("); at >= 0; at = text.indexOf("Display.html(", at + 1)) {
                    for (String[] splice : templateSplices(text, at + "Display.html(".length())) {
                        spliced++;
                        assertTrue(splice[1].matches("%[-#+ 0,(]*\\d*(\\.\\d+)?[dfegx]"), where + " splices " + splice[0]
                                + " into HTML unformatted; pass it as a value of Display.html(template, values) instead");
                    }
                }
            }
        }
        assertTrue(spliced > 10, "the check saw the notes' interpolated templates: " + spliced);
    }

    /** What the Scala REPL echoes: imports, definitions, {@code name: Type = value}, {@code res0: ...}. */
    private static final java.util.regex.Pattern ECHO = java.util.regex.Pattern.compile(
            "(?m)^(import \\w|defined (class|object|trait|type) |(res\\d+|[a-z]\\w*): [\\w.$\\[\\], ()=>]+ = )");
    /** A record's or case class's default toString: {@code Deciles[rows=...}, {@code Decile(1, ...}. */
    private static final java.util.regex.Pattern DUMP = java.util.regex.Pattern.compile(
            "\\b[A-Z]\\w*(\\[[a-z]\\w*=|\\$\\$|@[0-9a-f]{6,})");
    private static final java.util.regex.Pattern TABLE = java.util.regex.Pattern.compile("(?s)<table class=\"result\">(.*?)</table>");
    private static final java.util.regex.Pattern CELL = java.util.regex.Pattern.compile("<t[hd][^>]*>(.*?)</t[hd]>");

    /**
     * A report a business reader trusts: no REPL echo, no record dump, and in its tables no number
     * of five or more digits without thousands separators (identifier columns aside).
     */
    private static void assertReadsAsAReport(String base, JsonObject done, String html) {
        for (JsonElement e : done.getAsJsonArray("paragraphs")) {
            JsonObject p = e.getAsJsonObject();
            for (JsonElement m : p.getAsJsonObject("results").getAsJsonArray("msg")) {
                String type = m.getAsJsonObject().get("type").getAsString();
                String data = m.getAsJsonObject().get("data").getAsString();
                String where = base + " '" + p.get("title").getAsString() + "' (" + type + ")";
                if (!type.equals("IMG")) {
                    java.util.regex.Matcher echo = ECHO.matcher(data);
                    if (echo.find()) {
                        fail(where + " shows the REPL's echo: " + around(data, echo));
                    }
                    java.util.regex.Matcher dump = DUMP.matcher(data);
                    if (dump.find()) {
                        fail(where + " shows a record dump: " + around(data, dump));
                    }
                }
            }
        }
        java.util.regex.Matcher table = TABLE.matcher(html);
        int tables = 0;
        while (table.find()) {
            tables++;
            List<List<String>> rows = table.group(1).lines().filter(l -> l.startsWith("<tr>")).map(l -> {
                List<String> cells = new java.util.ArrayList<>();
                java.util.regex.Matcher c = CELL.matcher(l);
                while (c.find()) {
                    cells.add(c.group(1));
                }
                return cells;
            }).toList();
            List<String> header = rows.get(0);
            for (List<String> row : rows.subList(1, rows.size())) {
                for (int c = 0; c < row.size(); c++) {
                    boolean id = header.get(c).matches("(?i)(.*[_ ])?id");
                    assertFalse(!id && row.get(c).matches("-?\\d{5,}(\\.\\d+)?"), base + ": the table column '"
                            + header.get(c) + "' shows " + row.get(c) + " without thousands separators");
                }
            }
        }
        assertTrue(tables > 0 || base.startsWith("07"), base + " shows tables: " + tables);
    }

    private static String around(String data, java.util.regex.Matcher m) {
        return data.substring(Math.max(0, m.start() - 40), Math.min(data.length(), m.end() + 60));
    }

    /**
     * The splices of the interpolated strings ({@code f"..."}, {@code s"..."}) in a call's first
     * argument, each as its expression and the format that follows it (empty when none).
     */
    private static List<String[]> templateSplices(String text, int from) {
        List<String[]> splices = new java.util.ArrayList<>();
        int depth = 0;
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c == 'f' || c == 's') && i + 1 < text.length() && text.charAt(i + 1) == '"'
                    && !Character.isLetterOrDigit(text.charAt(i - 1))) {
                i += 2;
                while (text.charAt(i) != '"') {
                    if (text.startsWith("$$", i)) {
                        i += 2;
                    } else if (text.charAt(i) == '$') {
                        int start = ++i;
                        if (text.charAt(i) == '{') {
                            for (int braces = 0; ; i++) {
                                braces += text.charAt(i) == '{' ? 1 : text.charAt(i) == '}' ? -1 : 0;
                                if (braces == 0) {
                                    break;
                                }
                            }
                            i++;
                        } else {
                            while (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_') {
                                i++;
                            }
                        }
                        java.util.regex.Matcher format = java.util.regex.Pattern.compile("%[-#+ 0,(]*\\d*(\\.\\d+)?[a-zA-Z]")
                                .matcher(text).region(i, text.length());
                        splices.add(new String[] {text.substring(start, i), format.lookingAt() ? format.group() : ""});
                    } else {
                        i += text.charAt(i) == '\\' ? 2 : 1;
                    }
                }
            } else if (c == '"') {
                i = text.indexOf('"', i + 1);
            } else if (c == '(') {
                depth++;
            } else if (c == ')' || (c == ',' && depth == 0)) {
                if (depth-- == 0) {
                    return splices;
                }
            }
        }
        return splices;
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
        Path shared = io.propensitykit.data.Workspace.dataDir();
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
            assertReadsAsAReport(base, done, Files.readString(out.resolve(base + ".html")));
            // The executed note reads back as a note.
            assertEquals(source.getAsJsonArray("paragraphs").size(), Note.read(out.resolve(base + ".zpln"))
                    .paragraphs().size());
            assertTrue(Files.readString(out.resolve(base + ".html")).contains("<h1>"));
        }
    }
}
