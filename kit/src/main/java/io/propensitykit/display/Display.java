package io.propensitykit.display;

import com.google.common.html.HtmlEscapers;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

/**
 * Turns results into Zeppelin's display output, with one rule: what comes from data is text, and
 * text is escaped; only the template a note's author writes is taken as HTML.
 *
 * <pre>{@code
 * println(Display.table(deciles.table()))                                  // %table, then back to %text
 * println(Display.html("<p>Reading <b>%s</b> from %s</p>", file, dir))     // values escaped, template trusted
 * println(Display.html(f"<p>Scored <b>$rows%,d</b> rows</p>"))             // the author's own HTML
 * println(Display.text(customerName))                                      // a value shown as it is, markers included
 * }</pre>
 *
 * <p>Zeppelin reads a line that starts with {@code %html}, {@code %table} or {@code %text} as a
 * switch of output type, in {@code println} output as much as anywhere. A value printed raw is
 * therefore as trusted as HTML. The methods here never let a value start such a line: values are
 * HTML-escaped, a {@code %} that opens a line is written as {@code &#37;}, and table cells have
 * tabs and line breaks replaced by spaces, as Zeppelin's own {@code z.show} does.
 */
public final class Display {

    private static final Pattern LINE_START_PERCENT = Pattern.compile("(?m)^%");

    private Display() {}

    /**
     * Lays a Tablesaw table out as {@code %table}: each cell as the column prints it, so a
     * column's print formatter sets its decimals.
     *
     * @param table the table
     * @return Zeppelin output, ending in a switch back to {@code %text}
     */
    public static String table(Table table) {
        return "%table " + tableData(table) + "\n%text ";
    }

    /**
     * The body of a {@code %table} for a Tablesaw table, each cell as its column prints it.
     *
     * @param table the table
     * @return the table text, without output markers
     */
    public static String tableData(Table table) {
        List<List<String>> rows = new ArrayList<>(table.rowCount());
        for (int r = 0; r < table.rowCount(); r++) {
            List<String> row = new ArrayList<>(table.columnCount());
            for (int c = 0; c < table.columnCount(); c++) {
                row.add(table.column(c).getString(r));
            }
            rows.add(row);
        }
        return tableData(table.columnNames(), rows);
    }

    /**
     * Shows a table in the note: prints {@link #table(Table)}.
     *
     * @param table the table
     */
    public static void show(Table table) {
        System.out.println(table(table));
    }

    /**
     * Lays rows out as {@code %table}.
     *
     * @param columns the header
     * @param rows the rows, one value per column; null prints as {@code null}
     * @return Zeppelin output, ending in a switch back to {@code %text}
     */
    public static String table(List<String> columns, Iterable<? extends List<?>> rows) {
        return "%table " + tableData(columns, rows) + "\n%text ";
    }

    /**
     * The body of a {@code %table}: a tab-separated header line, then one line per row, each cell
     * one line of text.
     *
     * @param columns the header
     * @param rows the rows
     * @return the table text, without output markers
     */
    public static String tableData(List<String> columns, Iterable<? extends List<?>> rows) {
        StringBuilder s = new StringBuilder();
        appendLine(s, columns);
        for (List<?> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("A table row has " + row.size() + " values for " + columns.size()
                        + " columns " + columns + ": " + row);
            }
            appendLine(s, row);
        }
        return s.toString();
    }

    private static void appendLine(StringBuilder s, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                s.append('\t');
            }
            s.append(cell(values.get(i)));
        }
        s.append('\n');
    }

    /**
     * One table cell as Zeppelin's {@code TableDataUtils.normalizeColumn} writes it: {@code null}
     * for null, and tabs and line breaks replaced by spaces, so a value cannot split its cell or row.
     *
     * @param value any value
     * @return the cell text
     */
    public static String cell(Object value) {
        return value == null ? "null" : value.toString().replace("\t", " ").replace("\r\n", " ").replace("\n", " ");
    }

    /**
     * Shows HTML that the note's author wrote, numbers interpolated included, as it is. Values that
     * come from data go through {@link #html(String, Object...)} instead, which escapes them.
     *
     * <pre>{@code println(Display.html(f"<p>Scored <b>$rows%,d</b> customers</p>"))}</pre>
     *
     * @param trustedHtml the author's markup
     * @return Zeppelin {@code %html} output, ending in a switch back to {@code %text}
     */
    public static String html(String trustedHtml) {
        return "%html " + trustedHtml + "\n%text ";
    }

    /**
     * Fills an HTML template with escaped values: the template is the note author's markup, and
     * each value is formatted by its {@link java.util.Formatter} conversion, then escaped.
     *
     * @param trustedTemplate HTML with {@code %s}, {@code %,d}, {@code %.3f}… conversions
     * @param values the values; text is escaped, numbers are formatted as the conversion says
     * @return Zeppelin {@code %html} output, ending in a switch back to {@code %text}
     */
    public static String html(String trustedTemplate, Object... values) {
        return html(fill(trustedTemplate, values));
    }

    /** The template with its values formatted, text values escaped. */
    private static String fill(String trustedTemplate, Object... values) {
        Object[] safe = Arrays.copyOf(values, values.length);
        for (int i = 0; i < safe.length; i++) {
            if (!(safe[i] instanceof Number || safe[i] instanceof Boolean)) {
                safe[i] = escape(safe[i]);
            }
        }
        return String.format(Locale.ROOT, trustedTemplate, safe);
    }

    /** The class that marks a note's "nothing to do" message, for reports and their index. */
    public static final String NOTHING_TO_DO_CLASS = "kit-nothing-to-do";

    /**
     * Says that the note has nothing to do, and why (its data is not there, say), as
     * {@link #html(String, Object...)} does, in a box that {@code kit run} recognizes: the report
     * and its index then tell this note from one that did its work.
     *
     * <pre>{@code println(Display.nothingToDo("<b>%s</b> is not in %s.", file, dir))}</pre>
     *
     * @param trustedTemplate HTML with {@code %s}, {@code %,d}… conversions
     * @param values the values, escaped as in {@link #html(String, Object...)}
     * @return Zeppelin {@code %html} output, ending in a switch back to {@code %text}
     */
    public static String nothingToDo(String trustedTemplate, Object... values) {
        return html("<div class=\"" + NOTHING_TO_DO_CLASS + "\" style=\"background:#fcf8e3;border:1px solid #faebcc;"
                + "color:#8a6d3b;padding:6px 10px\">" + fill(trustedTemplate, values) + "</div>");
    }

    /**
     * Shows a value as preformatted text, exactly as it is, whatever it holds: markup and output
     * markers are shown, never run.
     *
     * @param value any value
     * @return Zeppelin {@code %html} output, ending in a switch back to {@code %text}
     */
    public static String text(Object value) {
        return "%html <pre class=\"kit-text\">" + escape(value) + "</pre>\n%text ";
    }

    /**
     * Escapes a value for HTML text and attributes; a {@code %} that starts a line becomes
     * {@code &#37;}, so that the value cannot switch Zeppelin's output type.
     *
     * @param value any value; null gives {@code null}
     * @return the escaped text
     */
    public static String escape(Object value) {
        return LINE_START_PERCENT.matcher(HtmlEscapers.htmlEscaper().escape(String.valueOf(value))).replaceAll("&#37;");
    }

    /**
     * A chart's title and series as JSON, {@code {"title": …, "series": [{"name": …, "x": […], "y":
     * […]}]}}, a value that is not finite written as null: what a chart was drawn from, kept beside
     * it ({@code Plot.html}). Safe inside a script element: Gson escapes {@code <}, {@code >} and
     * {@code &}, so no {@code </script>} can end it early.
     *
     * @param title the chart's title
     * @param names the series' names
     * @param xs each series' x values
     * @param ys each series' y values
     * @return the JSON text
     */
    public static String chartData(String title, List<String> names, List<double[]> xs, List<double[]> ys) {
        JsonObject root = new JsonObject();
        root.addProperty("title", title);
        JsonArray list = new JsonArray();
        for (int i = 0; i < names.size(); i++) {
            JsonObject o = new JsonObject();
            o.addProperty("name", names.get(i));
            o.add("x", numbers(xs.get(i)));
            o.add("y", numbers(ys.get(i)));
            list.add(o);
        }
        root.add("series", list);
        return new Gson().toJson(root);
    }

    private static JsonArray numbers(double[] values) {
        JsonArray out = new JsonArray(values.length);
        for (double v : values) {
            if (Double.isFinite(v)) {
                out.add(v);
            } else {
                out.add(JsonNull.INSTANCE);
            }
        }
        return out;
    }

    /**
     * Lays Zeppelin's table text out as an HTML table for a report: every cell escaped, each column
     * made readable by {@link Formats#readable} and numbers right-aligned. The reports of
     * {@code kit run} and {@code kit drift} show their tables this way.
     *
     * @param tableData a tab-separated header line, then one line per row ({@link #tableData})
     * @return a {@code <table class="result">} whose number cells have the class {@code num}
     */
    public static String htmlTable(String tableData) {
        return htmlTable(tableData, (row, column) -> null);
    }

    /**
     * As {@link #htmlTable(String)}, with an earlier value shown beside each cell that has one: a
     * rerun's report shows what a changed cell held last time ({@code <span class="was">}), the cell
     * itself marked {@code changed}.
     *
     * @param tableData a tab-separated header line, then one line per row
     * @param before the earlier text of the cell at (row, column), both from 0 and the header not
     *     counted, or null when the cell did not change
     * @return a {@code <table class="result">}
     */
    public static String htmlTable(String tableData, BiFunction<Integer, Integer, String> before) {
        List<String[]> lines = new ArrayList<>();
        for (String line : tableData.split("\n")) {
            if (!line.isEmpty()) {
                lines.add(line.split("\t", -1));
            }
        }
        if (lines.isEmpty()) {
            return "<table class=\"result\"></table>";
        }
        String[] header = lines.get(0);
        List<Formats.Column> columns = new ArrayList<>(header.length);
        for (int c = 0; c < header.length; c++) {
            List<String> cells = new ArrayList<>(lines.size() - 1);
            for (String[] row : lines.subList(1, lines.size())) {
                cells.add(c < row.length ? row[c] : "");
            }
            columns.add(Formats.readable(header[c], cells));
        }
        StringBuilder h = new StringBuilder("<table class=\"result\">\n<tr>");
        for (int c = 0; c < header.length; c++) {
            h.append(columns.get(c).numeric() ? "<th class=\"num\">" : "<th>").append(escape(header[c])).append("</th>");
        }
        h.append("</tr>\n");
        for (int r = 0; r < lines.size() - 1; r++) {
            h.append("<tr>");
            for (int c = 0; c < columns.size(); c++) {
                Formats.Column column = columns.get(c);
                String was = before.apply(r, c);
                String cls = String.join(" ", java.util.stream.Stream.of(column.numeric() ? "num" : "",
                        was != null ? "changed" : "").filter(x -> !x.isEmpty()).toList());
                h.append(cls.isEmpty() ? "<td>" : "<td class=\"" + cls + "\">").append(escape(column.cells().get(r)));
                if (was != null) {
                    h.append(" <span class=\"was\">was ").append(escape(was)).append("</span>");
                }
                h.append("</td>");
            }
            h.append("</tr>\n");
        }
        return h.append("</table>").toString();
    }
}
