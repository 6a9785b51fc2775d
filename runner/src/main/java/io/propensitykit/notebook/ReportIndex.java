package io.propensitykit.notebook;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import io.propensitykit.display.Display;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The reports in a {@code --out} folder, read back from the executed notes written beside them,
 * so that the index lists every report there, from this run and earlier ones, newest first. A note
 * that said it had nothing to do ({@link Display#nothingToDo}) is told apart from one that did its work.
 */
final class ReportIndex {

    private ReportIndex() {}

    /**
     * One report.
     *
     * @param report the report's file name
     * @param name the note's name
     * @param ran paragraphs that ran
     * @param failed paragraphs that failed
     * @param notRun paragraphs left unrun after a failure
     * @param started when its first paragraph started, or null
     * @param time from its first paragraph's start to its last one's end
     * @param params the form values its paragraphs used
     * @param nothingToDo why the note had nothing to do, or null when it did its work
     * @param changes values changed since the run it was compared with, or null when it was not compared
     */
    record Entry(String report, String name, int ran, int failed, int notRun, LocalDateTime started, Duration time,
            Map<String, String> params, String nothingToDo, Integer changes) {

        boolean ok() {
            return failed == 0 && notRun == 0;
        }

        /** @return ok, failed or nothing to do */
        String status() {
            return !ok() ? "failed" : nothingToDo != null ? "nothing to do" : "ok";
        }
    }

    /**
     * Reads one executed note.
     *
     * @param report the report's file name
     * @param note the executed note's JSON
     * @return its entry
     */
    static Entry of(String report, JsonObject note) {
        int ran = 0;
        int failed = 0;
        int notRun = 0;
        LocalDateTime first = null;
        LocalDateTime last = null;
        Map<String, String> params = new LinkedHashMap<>();
        String nothingToDo = null;
        for (JsonElement e : note.getAsJsonArray("paragraphs")) {
            JsonObject p = e.getAsJsonObject();
            String status = p.has("status") ? p.get("status").getAsString() : "";
            if (status.equals("READY")) {
                notRun++;
            }
            if (!p.has("results")) {
                continue;
            }
            ran++;
            failed += status.equals("ERROR") ? 1 : 0;
            first = earliest(first, date(p, "dateStarted"));
            LocalDateTime end = date(p, "dateFinished");
            last = last == null || (end != null && end.isAfter(last)) ? end : last;
            JsonElement settings = p.get("settings");
            if (settings != null && settings.isJsonObject() && settings.getAsJsonObject().has("params")) {
                settings.getAsJsonObject().getAsJsonObject("params").entrySet()
                        .forEach(kv -> params.put(kv.getKey(), NoteRunner.text(kv.getValue())));
            }
            for (JsonElement m : p.getAsJsonObject("results").getAsJsonArray("msg")) {
                String data = m.getAsJsonObject().get("data").getAsString();
                if (nothingToDo == null && data.contains("class=\"" + Display.NOTHING_TO_DO_CLASS + "\"")) {
                    nothingToDo = firstSentence(plainText(data));
                }
            }
        }
        Duration time = first == null || last == null ? Duration.ZERO : Duration.between(first, last);
        JsonElement name = note.get("name");
        JsonElement compared = note.get(Note.COMPARISON);
        Integer changes = compared != null && compared.isJsonObject() && compared.getAsJsonObject().has("changes")
                ? compared.getAsJsonObject().get("changes").getAsInt() : null;
        return new Entry(report, name == null || !name.isJsonPrimitive() ? report : name.getAsString(), ran, failed,
                notRun, first, time, params, nothingToDo, changes);
    }

    /**
     * Every report in a folder whose executed note is beside it, newest first.
     *
     * @param out the {@code --out} folder
     * @return the entries
     * @throws IOException if the folder cannot be listed
     */
    static List<Entry> scan(Path out) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path zpln : files.filter(f -> f.getFileName().toString().endsWith(".zpln")).sorted().toList()) {
                String report = zpln.getFileName().toString().replaceFirst("\\.zpln$", ".html");
                if (!Files.exists(zpln.resolveSibling(report))) {
                    continue;
                }
                try {
                    entries.add(of(report, JsonParser.parseString(Files.readString(zpln)).getAsJsonObject()));
                } catch (JsonParseException | IllegalStateException | NullPointerException e) {
                    // Not an executed note (a file of the user's): not a report of ours, not listed.
                }
            }
        }
        entries.sort(Comparator.comparing(Entry::started, Comparator.nullsLast(Comparator.reverseOrder()))
                .thenComparing(Entry::name));
        return entries;
    }

    private static LocalDateTime date(JsonObject p, String field) {
        try {
            return p.has(field) && !p.get(field).isJsonNull()
                    ? LocalDateTime.parse(p.get(field).getAsString(), NoteRunner.ZEPPELIN_DATE) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static LocalDateTime earliest(LocalDateTime a, LocalDateTime b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    /** The reason's first sentence, for the index's status cell; the report holds the rest. */
    private static String firstSentence(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(.+?[.!?])\\s").matcher(text);
        return m.find() ? m.group(1) : text;
    }

    /** An HTML message's text: tags dropped, the few entities the kit writes decoded, spaces collapsed. */
    private static String plainText(String html) {
        return html.replaceAll("<[^>]*>", "").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&#37;", "%").replace("&amp;", "&").replaceAll("\\s+", " ").strip();
    }
}
