package io.propensitykit.notebook;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kit run} in this JVM, for the runner's tests: what it printed, and the executed notes and
 * reports it wrote into one output folder.
 */
final class NoteRun {

    private final Path out;
    private final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    private final PrintStream console = new PrintStream(consoleBytes, true, StandardCharsets.UTF_8);

    /** @param out where the runs write their executed notes and reports */
    NoteRun(Path out) {
        this.out = out;
    }

    /** kit run with these arguments, as typed. */
    int run(String... args) {
        return RunCommand.run(args, console);
    }

    /** kit run on these notes into the output folder on {@code local[1]}, then {@code options}. */
    int notes(List<Path> notes, String... options) {
        List<String> args = new ArrayList<>();
        notes.forEach(n -> args.add(n.toString()));
        args.addAll(List.of("--out", out.toString(), "--master", "local[1]"));
        args.addAll(List.of(options));
        return run(args.toArray(new String[0]));
    }

    /** kit run on one note into the output folder on {@code local[1]}, then {@code options}. */
    int note(Path note, String... options) {
        return notes(List.of(note), options);
    }

    /** @return everything the runs printed so far */
    String console() {
        return consoleBytes.toString(StandardCharsets.UTF_8);
    }

    /** Forgets what the runs printed so far. */
    void clearConsole() {
        consoleBytes.reset();
    }

    /** @return the executed note {@code base.zpln} */
    JsonObject executed(String base) throws IOException {
        return JsonParser.parseString(Files.readString(out.resolve(base + ".zpln"))).getAsJsonObject();
    }

    /** @return paragraph {@code i} of the executed note {@code base.zpln} */
    JsonObject paragraph(String base, int i) throws IOException {
        return paragraph(executed(base), i);
    }

    /** @return the report {@code base.html} */
    String report(String base) throws IOException {
        return Files.readString(out.resolve(base + ".html"));
    }

    static JsonObject paragraph(JsonObject note, int i) {
        return note.getAsJsonArray("paragraphs").get(i).getAsJsonObject();
    }

    static JsonArray msgs(JsonObject p) {
        return p.getAsJsonObject("results").getAsJsonArray("msg");
    }

    /** @return the data of result {@code i} of a paragraph */
    static String data(JsonObject p, int i) {
        return msgs(p).get(i).getAsJsonObject().get("data").getAsString();
    }

    /** @return the type of result {@code i} of a paragraph: TEXT, HTML, TABLE, IMG */
    static String type(JsonObject p, int i) {
        return msgs(p).get(i).getAsJsonObject().get("type").getAsString();
    }

    /** @return the data of all a paragraph's results, joined */
    static String data(JsonObject p) {
        StringBuilder s = new StringBuilder();
        msgs(p).forEach(m -> s.append(m.getAsJsonObject().get("data").getAsString()));
        return s.toString();
    }
}
