package io.propensitykit.notebook;

import io.propensitykit.plot.Plot;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What changed between two executed copies of one note: this run's and an earlier run's, both as
 * {@code kit run} (or Zeppelin) writes them. Paragraphs are matched by id, then by title; within a
 * paragraph, results by their place.
 *
 * <ul>
 * <li>A paragraph that finished once and failed the other time (or the reverse) is a change, always.</li>
 * <li>Tables ({@code %table}): rows matched by their key columns (the leading columns that hold no
 * number; else the first column when its values are distinct; else the row's place; or the
 * columns a paragraph names in its config as {@code "kit.compare.keys": "a,b"}), columns by name,
 * numbers compared within the tolerance, other cells as text.</li>
 * <li>Text and HTML: the numbers in them, in order, compared within the tolerance; the text itself
 * only when no number moved and as many numbers were found.</li>
 * <li>The kit's charts: through the series they were drawn from ({@link Plot#dataJson}), not the SVG.</li>
 * </ul>
 *
 * <p>Timings, dates and times, object hashes, temporary ids and absolute paths never count: they
 * are masked before anything is compared ({@link #VOLATILE}). A note adds patterns of its own as a
 * list of regular expressions in its config: {@code "config": {"kit.compare.volatile": ["run id \\w+"]}}.
 */
final class NoteComparison {

    /** A paragraph config key naming a table's key columns, comma-separated. */
    static final String KEYS = "kit.compare.keys";

    /** A note config key holding regular expressions for text that changes from run to run. */
    static final String VOLATILE_KEY = "kit.compare.volatile";

    /** Text that differs from run to run without meaning a change, masked before comparing. */
    static final List<Pattern> VOLATILE = List.of(
            // Durations and rates: "0.8 s", "12 ms", "3.2 min", "2.4M rows/s".
            Pattern.compile("[-+]?\\d[\\d,]*(?:\\.\\d+)?\\s?(?:[kKMG]\\s?)?rows/s\\b"),
            // Speed ratios measured in the run: "8× slower", "3.2&times; faster".
            Pattern.compile("[-+]?\\d[\\d,]*(?:\\.\\d+)?\\s?(?:×|&times;|x)\\s?(?:slower|faster)\\b"),
            Pattern.compile("[-+]?\\d[\\d,]*(?:\\.\\d+)?\\s?(?:ns|µs|us|ms|s|sec|secs|seconds?|min|mins|minutes?|h|hours?)"
                    + "(?![\\w/])"),
            // Dates and times: 2026-12-07, 2026-12-07 12:18:39.123, 12:18:39, with or without a zone.
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d+)?)?(?:Z|[+-]\\d{2}:?\\d{2}"
                    + "| [A-Z]{2,5})?)?"),
            Pattern.compile("\\b\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d+)?\\b"),
            // Object hashes, lambdas, REPL line classes, UUIDs, Spark application ids, hex addresses.
            Pattern.compile("@[0-9a-fA-F]{4,}\\b"),
            Pattern.compile("\\$\\$Lambda\\$[\\w$/]+"),
            Pattern.compile("\\$line\\d+"),
            Pattern.compile("\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b"),
            Pattern.compile("\\b(?:local|app|application)-\\d{10,}(?:-\\d+)?\\b"),
            Pattern.compile("\\b0x[0-9a-fA-F]+\\b"),
            // Absolute paths and URLs: where a run's work directory happened to be.
            Pattern.compile("\\b(?:file|hdfs|s3a?|https?):/+[^\\s\"'<>]*"),
            Pattern.compile("(?<![\\w.:/])(?:/[^\\s/\"'<>:]+){2,}/?"),
            Pattern.compile("\\b[A-Za-z]:\\\\[^\\s\"'<>]*"));

    /** What a masked span reads as. */
    private static final String MASK = "…";

    /** A number in text: not part of a name ({@code x1}, {@code res3}), grouping commas allowed, a percent kept. */
    private static final Pattern NUMBER = Pattern.compile(
            "(?<![\\w.])[-+−]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:[eE][-+]?\\d+)?(?![\\w])");

    private static final Pattern WORD = Pattern.compile("\\S+");

    private static final Pattern PLOT_DATA = Pattern.compile("<script type=\"application/json\" class=\""
            + Plot.DATA_CLASS + "\">(.*?)</script>", Pattern.DOTALL);

    /**
     * How far a number may move and still count as the same.
     *
     * @param relative relative to the earlier value
     * @param absolute in the value's own units, for values at or near zero
     */
    record Tolerance(double relative, double absolute) {

        boolean same(double before, double after) {
            if (Double.isNaN(before) || Double.isNaN(after)) {
                return Double.isNaN(before) && Double.isNaN(after);
            }
            double d = Math.abs(after - before);
            return d <= absolute || d <= relative * Math.abs(before);
        }
    }

    /** What a change is. */
    enum Kind {
        /** A paragraph finished one time and failed, or did not run, the other. */
        STATUS,
        /** A number that moved. */
        NUMBER,
        /** A paragraph, a result, a row or a chart series that only one run has. */
        ADDED_OR_REMOVED,
        /** Text that differs where no number moved. */
        TEXT
    }

    /**
     * One change.
     *
     * @param paragraph the paragraph's place in this run's note (0-based), or -1 when only the earlier run had it
     * @param paragraphLabel its title, or its first line of code
     * @param paragraphId its id
     * @param kind what changed
     * @param location where in the paragraph: the table cell, the words before a number, the chart series and point
     * @param before the earlier value, or null when there was none
     * @param after this run's value, or null when there is none
     * @param move the relative move {@code |after - before| / |before|} of a number; infinite for any other change
     */
    record Change(int paragraph, String paragraphLabel, String paragraphId, Kind kind, String location, String before,
            String after, double move) {}

    /**
     * The changes of one note.
     *
     * @param changes every change, status changes first, then the largest relative moves
     * @param previousParams the form values the earlier run used
     * @param currentParams the form values this run used
     * @param previousStarted when the earlier run started, as its note says, or null
     * @param cellsBefore per paragraph id and result index, a changed table cell's earlier text by "row:column"
     *     (rows and columns of this run's table, 0-based, the header not counted)
     */
    record Result(List<Change> changes, Map<String, String> previousParams, Map<String, String> currentParams,
            LocalDateTime previousStarted, Map<String, Map<String, String>> cellsBefore) {

        boolean paramsDiffer() {
            return !previousParams.equals(currentParams);
        }

        /** @return changes in the paragraph at this place of this run's note */
        long changesIn(int paragraph) {
            return changes.stream().filter(c -> c.paragraph() == paragraph).count();
        }

        /** @return the largest move of any change, 0 when nothing changed */
        double largestMove() {
            return changes.stream().mapToDouble(Change::move).max().orElse(0);
        }
    }

    private final Tolerance tolerance;
    private final List<Pattern> masks;
    private final List<Change> changes = new ArrayList<>();
    private final Map<String, Map<String, String>> cellsBefore = new HashMap<>();

    private NoteComparison(Tolerance tolerance, List<Pattern> masks) {
        this.tolerance = tolerance;
        this.masks = masks;
    }

    /**
     * Compares two executed copies of a note.
     *
     * @param previous the earlier run's executed note
     * @param current this run's executed note
     * @param tolerance how far a number may move
     * @return the changes
     */
    static Result compare(JsonObject previous, JsonObject current, Tolerance tolerance) {
        List<Pattern> masks = new ArrayList<>(VOLATILE);
        masks.addAll(notePatterns(current));
        NoteComparison c = new NoteComparison(tolerance, masks);
        List<JsonObject> before = paragraphs(previous);
        List<JsonObject> after = paragraphs(current);
        Map<Integer, Integer> matched = match(before, after);
        for (int i = 0; i < after.size(); i++) {
            Integer j = matched.get(i);
            if (j == null) {
                c.add(i, after.get(i), Kind.ADDED_OR_REMOVED, "paragraph", null, "new in this run");
            } else {
                c.paragraph(i, before.get(j), after.get(i));
            }
        }
        for (int j = 0; j < before.size(); j++) {
            if (!matched.containsValue(j)) {
                c.add(-1, before.get(j), Kind.ADDED_OR_REMOVED, "paragraph", "in the earlier run", null);
            }
        }
        // A status first, then the numbers, largest move first, then what cannot be measured.
        c.changes.sort(Comparator.comparingInt((Change x) -> x.kind().ordinal())
                .thenComparing(Comparator.comparingDouble(Change::move).reversed())
                .thenComparingInt(x -> x.paragraph() < 0 ? Integer.MAX_VALUE : x.paragraph()));
        ReportIndex.Entry was = ReportIndex.of("", previous);
        return new Result(List.copyOf(c.changes), was.params(), ReportIndex.of("", current).params(), was.started(),
                c.cellsBefore);
    }

    /** The note's own volatile patterns; one that does not compile is a mistake in the note, said as such. */
    static List<Pattern> notePatterns(JsonObject note) {
        List<Pattern> out = new ArrayList<>();
        JsonElement config = note.get("config");
        if (config == null || !config.isJsonObject() || !config.getAsJsonObject().has(VOLATILE_KEY)) {
            return out;
        }
        JsonElement list = config.getAsJsonObject().get(VOLATILE_KEY);
        for (JsonElement e : list.isJsonArray() ? list.getAsJsonArray() : List.of(list)) {
            try {
                out.add(Pattern.compile(e.getAsString()));
            } catch (PatternSyntaxException | UnsupportedOperationException | IllegalStateException bad) {
                throw new IllegalArgumentException("The note's config \"" + VOLATILE_KEY + "\" holds " + e
                        + ", which is not a regular expression: " + bad.getMessage().lines().findFirst().orElse(""));
            }
        }
        return out;
    }

    private static List<JsonObject> paragraphs(JsonObject note) {
        List<JsonObject> out = new ArrayList<>();
        JsonElement list = note.get("paragraphs");
        if (list != null && list.isJsonArray()) {
            list.getAsJsonArray().forEach(p -> out.add(p.getAsJsonObject()));
        }
        return out;
    }

    /** This run's paragraph index to the earlier run's: by id, then by a title both runs hold once. */
    private static Map<Integer, Integer> match(List<JsonObject> before, List<JsonObject> after) {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        Map<String, Integer> byId = new HashMap<>();
        for (int j = 0; j < before.size(); j++) {
            byId.putIfAbsent(string(before.get(j), "id"), j);
        }
        for (int i = 0; i < after.size(); i++) {
            Integer j = byId.get(string(after.get(i), "id"));
            if (j != null && !string(after.get(i), "id").isEmpty() && !out.containsValue(j)) {
                out.put(i, j);
            }
        }
        Map<String, List<Integer>> titles = new HashMap<>();
        for (int j = 0; j < before.size(); j++) {
            titles.computeIfAbsent(string(before.get(j), "title"), t -> new ArrayList<>()).add(j);
        }
        for (int i = 0; i < after.size(); i++) {
            String title = string(after.get(i), "title");
            List<Integer> same = titles.get(title);
            if (!out.containsKey(i) && !title.isBlank() && same != null && same.size() == 1
                    && !out.containsValue(same.get(0))) {
                out.put(i, same.get(0));
            }
        }
        return out;
    }

    private void paragraph(int index, JsonObject before, JsonObject after) {
        String was = status(before);
        String is = status(after);
        if (!was.equals(is)) {
            add(index, after, Kind.STATUS, "status", was, is);
        }
        List<JsonObject> a = messages(before);
        List<JsonObject> b = messages(after);
        for (int k = 0; k < Math.max(a.size(), b.size()); k++) {
            String where = a.size() + b.size() > 2 ? "result " + (k + 1) + ", " : "";
            if (k >= a.size() || k >= b.size()) {
                add(index, after, Kind.ADDED_OR_REMOVED, where + "output", k < a.size() ? type(a.get(k)) : null,
                        k < b.size() ? type(b.get(k)) : null);
                continue;
            }
            String typeA = type(a.get(k));
            String typeB = type(b.get(k));
            String dataA = string(a.get(k), "data");
            String dataB = string(b.get(k), "data");
            if (!typeA.equals(typeB)) {
                add(index, after, Kind.ADDED_OR_REMOVED, where + "output type", typeA, typeB);
            } else if (typeA.equals("TABLE")) {
                table(index, after, k, where, dataA, dataB);
            } else if (typeA.equals("HTML")) {
                plots(index, after, where, dataA, dataB);
                text(index, after, where, plainText(dataA), plainText(dataB));
            } else if (!typeA.equals("IMG")) {
                text(index, after, where, dataA, dataB);
            }
        }
    }

    /** FINISHED, ERROR, or "not run" for a paragraph left READY (or never run). */
    private static String status(JsonObject p) {
        String s = string(p, "status");
        return s.equals("FINISHED") || s.equals("ERROR") ? s : "not run";
    }

    private static List<JsonObject> messages(JsonObject p) {
        List<JsonObject> out = new ArrayList<>();
        JsonElement results = p.get("results");
        if (results != null && results.isJsonObject() && results.getAsJsonObject().has("msg")) {
            results.getAsJsonObject().getAsJsonArray("msg").forEach(m -> out.add(m.getAsJsonObject()));
        }
        return out;
    }

    private static String type(JsonObject message) {
        return string(message, "type");
    }

    // ---- tables

    private void table(int index, JsonObject paragraph, int result, String where, String before, String after) {
        Table a = Table.parse(before);
        Table b = Table.parse(after);
        List<String> keys = keys(paragraph, a, b);
        Map<String, Integer> rowsA = a.rowKeys(keys);
        Map<String, Integer> rowsB = b.rowKeys(keys);
        for (Map.Entry<String, Integer> row : rowsB.entrySet()) {
            Integer ra = rowsA.get(row.getKey());
            String rowName = rowName(keys, row.getKey());
            if (ra == null) {
                add(index, paragraph, Kind.ADDED_OR_REMOVED, where + "table " + rowName, null, "added");
                continue;
            }
            for (int cb = 0; cb < b.header.size(); cb++) {
                String column = b.header.get(cb);
                int ca = a.header.indexOf(column);
                if (ca < 0 || keys.contains(column)) {
                    continue;
                }
                String cellA = a.cell(ra, ca);
                String cellB = b.cell(row.getValue(), cb);
                if (cell(index, paragraph, where + "table " + rowName + ", " + column, cellA, cellB)) {
                    cellsBefore.computeIfAbsent(string(paragraph, "id") + "#" + result, x -> new HashMap<>())
                            .put(row.getValue() + ":" + cb, cellA);
                }
            }
        }
        for (String key : rowsA.keySet()) {
            if (!rowsB.containsKey(key)) {
                add(index, paragraph, Kind.ADDED_OR_REMOVED, where + "table " + rowName(keys, key), "present",
                        "removed");
            }
        }
        for (String column : a.header) {
            if (!b.header.contains(column)) {
                add(index, paragraph, Kind.ADDED_OR_REMOVED, where + "table column " + column, "present", "removed");
            }
        }
        for (String column : b.header) {
            if (!a.header.contains(column)) {
                add(index, paragraph, Kind.ADDED_OR_REMOVED, where + "table column " + column, null, "added");
            }
        }
    }

    /** A row as the location names it: {@code row "tenure_months / numeric"}, or {@code row 3} without keys. */
    private static String rowName(List<String> keys, String key) {
        return keys.isEmpty() ? "row " + key : "row \"" + key + "\"";
    }

    /** Compares one cell; true when it changed. */
    private boolean cell(int index, JsonObject paragraph, String location, String before, String after) {
        String maskedA = mask(before);
        String maskedB = mask(after);
        Double x = number(maskedA);
        Double y = number(maskedB);
        if (x != null && y != null) {
            if (!tolerance.same(x, y)) {
                add(index, paragraph, Kind.NUMBER, location, before, after, move(x, y));
                return true;
            }
            return false;
        }
        if (!maskedA.equals(maskedB)) {
            add(index, paragraph, Kind.TEXT, location, before, after);
            return true;
        }
        return false;
    }

    /** The key columns: what the paragraph names, else the leading columns without numbers, else a distinct first column. */
    private static List<String> keys(JsonObject paragraph, Table a, Table b) {
        JsonElement config = paragraph.get("config");
        if (config != null && config.isJsonObject() && config.getAsJsonObject().has(KEYS)) {
            List<String> named = new ArrayList<>();
            for (String k : config.getAsJsonObject().get(KEYS).getAsString().split(",")) {
                if (!k.isBlank() && b.header.contains(k.strip()) && a.header.contains(k.strip())) {
                    named.add(k.strip());
                }
            }
            if (!named.isEmpty()) {
                return named;
            }
        }
        List<String> keys = new ArrayList<>();
        for (int c = 0; c < b.header.size(); c++) {
            String name = b.header.get(c);
            if (!a.header.contains(name) || !a.textual(a.header.indexOf(name)) || !b.textual(c)) {
                break;
            }
            keys.add(name);
        }
        if (keys.isEmpty() && !b.header.isEmpty() && a.header.contains(b.header.get(0))
                && a.distinct(a.header.indexOf(b.header.get(0))) && b.distinct(0)) {
            keys.add(b.header.get(0));
        }
        return keys;
    }

    /** Zeppelin's table text: a tab-separated header line, then a line per row. */
    private record Table(List<String> header, List<String[]> rows) {

        static Table parse(String data) {
            List<String> header = new ArrayList<>();
            List<String[]> rows = new ArrayList<>();
            for (String line : data.split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] cells = line.split("\t", -1);
                if (header.isEmpty() && rows.isEmpty()) {
                    header.addAll(List.of(cells));
                } else {
                    rows.add(cells);
                }
            }
            return new Table(header, rows);
        }

        String cell(int row, int column) {
            String[] cells = rows.get(row);
            return column < cells.length ? cells[column] : "";
        }

        /** Whether every cell of the column holds something other than a number. */
        boolean textual(int column) {
            return !rows.isEmpty() && rows.stream().allMatch(r -> number(cellOf(r, column)) == null
                    && !cellOf(r, column).isBlank());
        }

        boolean distinct(int column) {
            return rows.stream().map(r -> cellOf(r, column)).distinct().count() == rows.size();
        }

        /** Each row's key text, made unique by its occurrence when keys repeat; the row's place without keys. */
        Map<String, Integer> rowKeys(List<String> keys) {
            Map<String, Integer> out = new LinkedHashMap<>();
            Map<String, Integer> seen = new HashMap<>();
            for (int r = 0; r < rows.size(); r++) {
                StringBuilder k = new StringBuilder();
                for (String key : keys) {
                    k.append(k.length() == 0 ? "" : " / ").append(cellOf(rows.get(r), header.indexOf(key)));
                }
                String text = keys.isEmpty() ? Integer.toString(r + 1) : k.toString();
                int n = seen.merge(text, 1, Integer::sum);
                out.put(n == 1 ? text : text + " (" + n + ")", r);
            }
            return out;
        }

        private static String cellOf(String[] row, int column) {
            return column >= 0 && column < row.length ? row[column] : "";
        }
    }

    // ---- text

    private void text(int index, JsonObject paragraph, String where, String before, String after) {
        String a = mask(before);
        String b = mask(after);
        if (a.equals(b)) {
            return;
        }
        List<Found> x = numbers(a);
        List<Found> y = numbers(b);
        boolean moved = false;
        if (x.size() == y.size()) {
            for (int k = 0; k < x.size(); k++) {
                if (!tolerance.same(x.get(k).value(), y.get(k).value())) {
                    moved = true;
                    add(index, paragraph, Kind.NUMBER, where + "text \"" + y.get(k).context() + "\"", x.get(k).text(),
                            y.get(k).text(), move(x.get(k).value(), y.get(k).value()));
                }
            }
        }
        if (moved) {
            return;
        }
        // No number moved (or they cannot be paired): the text itself, its first changed lines.
        List<String> linesA = a.lines().toList();
        List<String> linesB = b.lines().toList();
        for (AbstractDelta<String> delta : DiffUtils.diff(linesA, linesB).getDeltas()) {
            String was = String.join("\n", delta.getSource().getLines());
            String is = String.join("\n", delta.getTarget().getLines());
            if (x.size() == y.size() && stripNumbers(was).equals(stripNumbers(is))) {
                continue; // numbers within the tolerance, the words the same
            }
            add(index, paragraph, Kind.TEXT, where + "text, line " + (delta.getTarget().getPosition() + 1),
                    was.isEmpty() ? null : shorten(was), is.isEmpty() ? null : shorten(is));
        }
    }

    /** A number found in text, with the words around it. */
    private record Found(double value, String text, String context) {}

    private static List<Found> numbers(String text) {
        List<Found> out = new ArrayList<>();
        Matcher m = NUMBER.matcher(text);
        while (m.find()) {
            out.add(new Found(parse(m.group()), m.group(), context(text, m.start(), m.end())));
        }
        return out;
    }

    /**
     * The words around a number on its line, the number itself as "…": up to four words before it
     * and three after, stopping at another number, so that the location reads the same in both runs.
     */
    private static String context(String text, int start, int end) {
        int lineStart = text.lastIndexOf('\n', start) + 1;
        int lineEnd = text.indexOf('\n', end);
        String line = text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd);
        int at = start - lineStart;
        int to = end - lineStart;
        List<int[]> words = new ArrayList<>();
        Matcher w = WORD.matcher(line);
        while (w.find()) {
            words.add(new int[] {w.start(), w.end()});
        }
        int from = at;
        for (int i = words.size() - 1, n = 0; i >= 0 && n < 4; i--) {
            int[] word = words.get(i);
            if (word[1] > at) {
                continue;
            }
            if (NUMBER.matcher(line.substring(word[0], word[1])).find()) {
                break;
            }
            from = word[0];
            n++;
        }
        int until = to;
        for (int i = 0, n = 0; i < words.size() && n < 3; i++) {
            int[] word = words.get(i);
            if (word[0] < to) {
                continue;
            }
            if (NUMBER.matcher(line.substring(word[0], word[1])).find()) {
                break;
            }
            until = word[1];
            n++;
        }
        if (until == to) {
            // Punctuation straight after the number ("0.479:") reads with it.
            Matcher rest = Pattern.compile("^[^\\s\\d]+").matcher(line.substring(to));
            until = rest.find() ? to + rest.end() : to;
        }
        return (line.substring(from, at) + "…" + line.substring(to, until)).strip();
    }

    private static String stripNumbers(String text) {
        return NUMBER.matcher(text).replaceAll("#");
    }

    /** A cell's number: the whole cell, grouping commas and a trailing percent allowed; null when it is not one. */
    static Double number(String cell) {
        if (cell == null) {
            return null;
        }
        String s = cell.strip();
        if (s.endsWith("%")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        Matcher m = NUMBER.matcher(s);
        if (m.matches()) {
            return parse(s);
        }
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "Infinity", "∞" -> Double.POSITIVE_INFINITY;
            case "-Infinity", "-∞", "−∞" -> Double.NEGATIVE_INFINITY;
            default -> null;
        };
    }

    private static double parse(String number) {
        return Double.parseDouble(number.replace(",", "").replace('−', '-'));
    }

    // ---- charts

    private void plots(int index, JsonObject paragraph, String where, String before, String after) {
        List<JsonObject> a = plotData(before);
        List<JsonObject> b = plotData(after);
        for (int k = 0; k < Math.min(a.size(), b.size()); k++) {
            String title = b.get(k).has("title") && !b.get(k).get("title").isJsonNull()
                    ? b.get(k).get("title").getAsString() : "chart " + (k + 1);
            Map<String, JsonObject> seriesA = series(a.get(k));
            Map<String, JsonObject> seriesB = series(b.get(k));
            for (Map.Entry<String, JsonObject> s : seriesB.entrySet()) {
                String place = where + "chart \"" + title + "\", series \"" + s.getKey() + "\"";
                JsonObject old = seriesA.get(s.getKey());
                if (old == null) {
                    add(index, paragraph, Kind.ADDED_OR_REMOVED, place, null, "added");
                    continue;
                }
                JsonArray xa = old.getAsJsonArray("x");
                JsonArray ya = old.getAsJsonArray("y");
                JsonArray xb = s.getValue().getAsJsonArray("x");
                JsonArray yb = s.getValue().getAsJsonArray("y");
                if (ya.size() != yb.size()) {
                    add(index, paragraph, Kind.ADDED_OR_REMOVED, place + ", points", Integer.toString(ya.size()),
                            Integer.toString(yb.size()));
                    continue;
                }
                for (int p = 0; p < yb.size(); p++) {
                    String point = place + ", point " + (p + 1);
                    compareValue(index, paragraph, point + ", x", value(xa, p), value(xb, p));
                    compareValue(index, paragraph, point + " at x " + shortNumber(value(xb, p)), value(ya, p),
                            value(yb, p));
                }
            }
            for (String name : seriesA.keySet()) {
                if (!seriesB.containsKey(name)) {
                    add(index, paragraph, Kind.ADDED_OR_REMOVED, where + "chart \"" + title + "\", series \"" + name
                            + "\"", "present", "removed");
                }
            }
        }
        if (a.size() != b.size()) {
            add(index, paragraph, Kind.ADDED_OR_REMOVED, where + "charts", Integer.toString(a.size()),
                    Integer.toString(b.size()));
        }
    }

    private void compareValue(int index, JsonObject paragraph, String location, double before, double after) {
        if (!tolerance.same(before, after)) {
            add(index, paragraph, Kind.NUMBER, location, shortNumber(before), shortNumber(after), move(before, after));
        }
    }

    private static List<JsonObject> plotData(String html) {
        List<JsonObject> out = new ArrayList<>();
        Matcher m = PLOT_DATA.matcher(html);
        while (m.find()) {
            try {
                out.add(JsonParser.parseString(m.group(1)).getAsJsonObject());
            } catch (JsonParseException | IllegalStateException unreadable) {
                // Not the kit's data after all: the chart is then compared by nothing but its place.
            }
        }
        return out;
    }

    private static Map<String, JsonObject> series(JsonObject plot) {
        Map<String, JsonObject> out = new LinkedHashMap<>();
        JsonElement list = plot.get("series");
        if (list != null && list.isJsonArray()) {
            for (JsonElement s : list.getAsJsonArray()) {
                JsonObject o = s.getAsJsonObject();
                out.putIfAbsent(string(o, "name"), o);
            }
        }
        return out;
    }

    private static double value(JsonArray values, int k) {
        return k < values.size() && !values.get(k).isJsonNull() ? values.get(k).getAsDouble() : Double.NaN;
    }

    // ---- shared

    private String mask(String text) {
        String out = text;
        for (Pattern p : masks) {
            out = p.matcher(out).replaceAll(MASK);
        }
        return out;
    }

    /** An HTML result's text as a reader sees it: charts, scripts and styles left out, tags dropped. */
    static String plainText(String html) {
        String text = html.replaceAll("(?is)<svg\\b.*?</svg>", " ").replaceAll("(?is)<script\\b.*?</script>", " ")
                .replaceAll("(?is)<style\\b.*?</style>", " ").replaceAll("(?i)<br\\s*/?>|</p>|</li>|</tr>|</h\\d>", "\n")
                .replaceAll("(?i)</?(?:b|i|em|strong|code|span|a|sub|sup|small|u|mark|abbr)\\b[^>]*>", "")
                .replaceAll("<[^>]*>", " ");
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&#37;", "%").replace("&nbsp;", " ").replace("&amp;", "&");
        return text.lines().map(l -> l.replaceAll("[ \\t]+", " ").strip()).filter(l -> !l.isEmpty())
                .reduce((x, y) -> x + "\n" + y).orElse("");
    }

    private static double move(double before, double after) {
        if (before == after) {
            return 0;
        }
        return before == 0 || !Double.isFinite(before) || !Double.isFinite(after) ? Double.POSITIVE_INFINITY
                : Math.abs(after - before) / Math.abs(before);
    }

    private static String shortNumber(double v) {
        if (Double.isNaN(v)) {
            return "none";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%d", (long) v);
        }
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e")
                .replaceAll("\\.$", "");
    }

    private static String shorten(String text) {
        String one = text.replaceAll("\\s+", " ").strip();
        return one.length() > 160 ? one.substring(0, 157) + "..." : one;
    }

    private void add(int index, JsonObject paragraph, Kind kind, String location, String before, String after) {
        add(index, paragraph, kind, location, before, after, Double.POSITIVE_INFINITY);
    }

    private void add(int index, JsonObject paragraph, Kind kind, String location, String before, String after,
            double move) {
        changes.add(new Change(index, label(paragraph), string(paragraph, "id"), kind, location, before, after, move));
    }

    /** The paragraph's title, or its first line of code without the interpreter. */
    private static String label(JsonObject p) {
        String title = string(p, "title");
        if (!title.isBlank()) {
            return title;
        }
        String first = string(p, "text").strip().lines().findFirst().orElse("(empty)");
        return first.length() > 60 ? first.substring(0, 57) + "..." : first;
    }

    private static String string(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() || !e.isJsonPrimitive() ? "" : e.getAsString();
    }
}
