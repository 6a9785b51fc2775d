package io.propensitykit.notebook;

import io.propensitykit.display.Display;

import com.vladsch.flexmark.util.sequence.Escaping;

import org.apache.zeppelin.interpreter.InterpreterResult;
import org.apache.zeppelin.interpreter.InterpreterResultMessage;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained HTML report of an executed note: header, table of contents, then each
 * paragraph's title, results and (behind a toggle) code. Nothing is fetched from the network;
 * table cells and text are escaped, {@code %html} results are included as they are, as Zeppelin
 * shows them.
 */
final class HtmlReport {

    private static final DateTimeFormatter INDEX_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    private static final DateTimeFormatter HEADER_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT).withZone(ZoneId.systemDefault());

    private static final String STYLE = """
            body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #222; }
            header { background: #3071a9; color: #fff; padding: 16px 32px; }
            header h1 { margin: 0 0 8px 0; font-size: 24px; }
            header dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; margin: 0; font-size: 13px; }
            header dt { opacity: .8; } header dd { margin: 0; }
            main { display: grid; grid-template-columns: 240px minmax(0, 1fr); }
            nav { padding: 16px; border-right: 1px solid #ddd; font-size: 13px; position: sticky; top: 0;
                  align-self: start; max-height: 100vh; overflow: auto; }
            nav ol { padding-left: 20px; } nav a { color: #3071a9; text-decoration: none; }
            nav .error a { color: #c00; } nav .notrun a { color: #999; }
            .paragraphs { padding: 8px 32px 32px 32px; }
            section { border-bottom: 1px solid #eee; padding: 12px 0; }
            section h2 { font-size: 16px; margin: 4px 0 8px 0; }
            .status { font-size: 11px; font-weight: normal; color: #666; margin-left: 8px; }
            .status.error { color: #c00; font-weight: bold; }
            details.code summary { cursor: pointer; font-size: 12px; color: #666; }
            pre { background: #f7f7f7; padding: 8px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; }
            pre.error { color: #c00; background: #fff3f3; border-left: 3px solid #c00; }
            .table-wrap { max-width: 100%; overflow-x: auto; }
            table.result { border-collapse: collapse; font-size: 12px; margin: 4px 0; }
            table.result th, table.result td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
            table.result th { background: #f0f0f0; }
            table.result .num { text-align: right; font-variant-numeric: tabular-nums; }
            .notrun { color: #999; font-style: italic; }
            .idle { color: #8a6d3b; } .nowrap { white-space: nowrap; } .empty { color: #999; font-style: italic; }
            img { max-width: 100%; }
            .result-alert { background: #fcf8e3; border: 1px solid #faebcc; color: #8a6d3b; padding: 6px 10px;
                            font-size: 12px; margin: 4px 0; display: inline-block; }
            .result-alert .close { display: none; }
            .changes { background: #fffbea; border: 1px solid #f0e0a0; padding: 8px 16px; margin: 12px 0; }
            .changes h2 { margin-top: 4px; } .changes p { font-size: 13px; margin: 4px 0; }
            .changed-mark { font-size: 11px; font-weight: normal; background: #f0c36d; color: #222; border-radius: 3px;
                            padding: 1px 6px; margin-left: 8px; }
            nav .changed a::after { content: " \\25CF"; color: #d08c00; }
            td.changed { background: #fff3cd; } .was { color: #8a6d3b; font-size: 11px; margin-left: 4px; }
            .status-change td { color: #c00; font-weight: bold; }
            """;

    /** Changes listed at the top of a report; changes.json holds all of them. */
    static final int CHANGES_SHOWN = 30;

    /**
     * A report's comparison with an earlier run.
     *
     * @param result what changed
     * @param previous the earlier run's folder, as given
     * @param tolerance the relative tolerance numbers were compared with
     */
    record Compared(NoteComparison.Result result, String previous, double tolerance) {}

    private HtmlReport() {}

    static String render(NoteRunner.Outcome outcome, String kitVersion) {
        return render(outcome, kitVersion, null);
    }

    /**
     * The report, with what changed since an earlier run at the top when there is one.
     *
     * @param outcome the run
     * @param kitVersion the kit's version
     * @param compared the comparison with an earlier run, or null
     * @return the page
     */
    static String render(NoteRunner.Outcome outcome, String kitVersion, Compared compared) {
        Note note = outcome.note();
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(note.name())).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
        h.append("<header>\n<h1>").append(esc(note.name())).append("</h1>\n<dl>\n");
        row(h, "Parameters", outcome.paramsUsed().isEmpty() ? "none" : params(outcome.paramsUsed()));
        row(h, "Started", esc(HEADER_TIME.format(outcome.start())));
        row(h, "Total time", String.format(Locale.ROOT, "%.1f s", outcome.elapsed().toMillis() / 1000.0));
        row(h, "Status", outcome.ok() ? "all paragraphs ran"
                : outcome.failed() + " failed" + (outcome.notRun() > 0 ? ", " + outcome.notRun() + " not run" : ""));
        row(h, "Versions", "Spark " + esc(outcome.sparkVersion() == null ? "not started" : outcome.sparkVersion())
                + " · propensity kit " + esc(kitVersion));
        h.append("</dl>\n</header>\n<main>\n<nav>\n<strong>Contents</strong>\n<ol>\n");
        for (Paragraph p : note.paragraphs()) {
            String cls = p.code() == InterpreterResult.Code.ERROR ? " class=\"error\"" : p.code() == null ? " class=\"notrun\""
                    : compared != null && compared.result().changesIn(p.index()) > 0 ? " class=\"changed\"" : "";
            h.append("<li").append(cls).append("><a href=\"#").append(anchor(p)).append("\">").append(esc(p.label()))
                    .append("</a></li>\n");
        }
        h.append("</ol>\n</nav>\n<div class=\"paragraphs\">\n");
        if (compared != null) {
            changes(h, compared, note);
        }
        for (Paragraph p : note.paragraphs()) {
            paragraph(h, p, compared);
        }
        h.append("</div>\n</main>\n</body>\n</html>\n");
        return h.toString();
    }

    /**
     * The index of a {@code --out} folder: one row per report there, newest first, with its status
     * (ok, failed, or nothing to do and why), paragraphs, start, time and the parameters the note
     * used, each name linking to the report.
     *
     * @param reports the folder's reports ({@link ReportIndex#scan})
     * @param kitVersion the kit's version
     * @return the page
     */
    static String index(List<ReportIndex.Entry> reports, String kitVersion) {
        StringBuilder h = new StringBuilder(4_096);
        long failed = reports.stream().filter(r -> !r.ok()).count();
        long idle = reports.stream().filter(r -> r.ok() && r.nothingToDo() != null).count();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Reports</title>\n")
                .append("<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n<header>\n<h1>Reports</h1>\n")
                .append("<dl>\n");
        row(h, "Notes", reports.size() + (failed == 0 ? ", none failed" : ", " + failed + " failed")
                + (idle == 0 ? "" : ", " + idle + " with nothing to do"));
        row(h, "Versions", "propensity kit " + esc(kitVersion));
        h.append("</dl>\n</header>\n<div class=\"paragraphs\">\n<table class=\"result\">\n<tr><th>Note</th>")
                .append("<th>Status</th><th>Paragraphs</th><th>Started</th><th class=\"num\">Time</th>")
                .append("<th class=\"num\">Changed since previous</th><th>Parameters</th>")
                .append("</tr>\n");
        for (ReportIndex.Entry r : reports) {
            String status = switch (r.status()) {
                case "failed" -> "<td class=\"status error\">failed";
                case "nothing to do" -> "<td class=\"idle\">nothing to do: " + esc(r.nothingToDo());
                default -> "<td>ok";
            };
            h.append("<tr><td><a href=\"").append(esc(fileLink(r.report()))).append("\">").append(esc(r.name()))
                    .append("</a></td>").append(status).append("</td><td>")
                    .append(r.ran()).append(" ran").append(r.failed() > 0 ? ", " + r.failed() + " failed" : "")
                    .append(r.notRun() > 0 ? ", " + r.notRun() + " not run" : "").append("</td><td class=\"nowrap\">")
                    .append(r.started() == null ? "" : esc(INDEX_TIME.format(r.started())))
                    .append("</td><td class=\"num nowrap\">")
                    .append(String.format(Locale.ROOT, "%.1f s", r.time().toMillis() / 1000.0))
                    .append("</td><td class=\"num\">").append(r.changes() == null ? "<span class=\"empty\">not compared</span>"
                            : r.changes() == 0 ? "none" : "<a href=\"" + esc(fileLink(r.report())) + "#changes\">"
                            + r.changes() + "</a>").append("</td><td>")
                    .append(r.params().isEmpty() ? "none" : params(r.params())).append("</td></tr>\n");
        }
        return h.append("</table>\n</div>\n</body>\n</html>\n").toString();
    }

    /** The section "What changed since the run of …": form values that differ, then the largest changes first. */
    private static void changes(StringBuilder h, Compared compared, Note note) {
        NoteComparison.Result r = compared.result();
        String since = "the run of " + (r.previousStarted() == null ? "an unknown date"
                : INDEX_TIME.format(r.previousStarted()));
        h.append("<section class=\"changes\" id=\"changes\">\n<h2>What changed since ").append(esc(since))
                .append(r.previousParams().isEmpty() ? "" : " (" + params(r.previousParams()) + ")").append("</h2>\n");
        h.append("<p>Compared with <code>").append(esc(compared.previous())).append("</code>; numbers within a relative ")
                .append(esc(tolerance(compared.tolerance())))
                .append(" count as the same, and timings, dates, hashes and paths never count.</p>\n");
        if (r.paramsDiffer()) {
            h.append("<p><b>The runs used other form values</b>: ").append(paramChanges(r.previousParams(),
                    r.currentParams())).append(".</p>\n");
        }
        if (r.changes().isEmpty()) {
            h.append("<p>Nothing changed.</p>\n</section>\n");
            return;
        }
        long paragraphs = r.changes().stream().map(NoteComparison.Change::paragraph).distinct().count();
        h.append("<p>").append(r.changes().size()).append(r.changes().size() == 1 ? " change" : " changes")
                .append(" in ").append(paragraphs).append(paragraphs == 1 ? " paragraph" : " paragraphs")
                .append(", the largest first").append(r.changes().size() > CHANGES_SHOWN ? " (the first "
                        + CHANGES_SHOWN + " here; <code>changes.json</code> lists them all)" : "")
                .append(".</p>\n<div class=\"table-wrap\"><table class=\"result\">\n<tr><th>Paragraph</th><th>Where</th>")
                .append("<th class=\"num\">Before</th><th class=\"num\">Now</th><th class=\"num\">Move</th></tr>\n");
        for (NoteComparison.Change c : r.changes().subList(0, Math.min(CHANGES_SHOWN, r.changes().size()))) {
            String name = c.paragraph() < 0 ? esc(c.paragraphLabel())
                    : "<a href=\"#p" + (c.paragraph() + 1) + "\">[" + (c.paragraph() + 1) + "] " + esc(c.paragraphLabel())
                    + "</a>";
            h.append(c.kind() == NoteComparison.Kind.STATUS ? "<tr class=\"status-change\">" : "<tr>").append("<td>")
                    .append(name).append("</td><td>").append(esc(c.location())).append("</td><td class=\"num\">")
                    .append(c.before() == null ? "<span class=\"empty\">none</span>" : esc(c.before()))
                    .append("</td><td class=\"num\">")
                    .append(c.after() == null ? "<span class=\"empty\">none</span>" : esc(c.after()))
                    .append("</td><td class=\"num nowrap\">").append(esc(move(c))).append("</td></tr>\n");
        }
        h.append("</table></div>\n</section>\n");
    }

    /** A change's relative move as people read it: 12.5%, or what kind of change it is. */
    static String move(NoteComparison.Change c) {
        if (c.kind() != NoteComparison.Kind.NUMBER) {
            return switch (c.kind()) {
                case STATUS -> "status";
                case ADDED_OR_REMOVED -> c.before() == null ? "added" : c.after() == null ? "removed" : "changed";
                default -> "text";
            };
        }
        if (Double.isInfinite(c.move())) {
            return "from 0";
        }
        Double before = NoteComparison.number(c.before());
        Double after = NoteComparison.number(c.after());
        String sign = before == null || after == null ? "" : after > before ? "+" : "−";
        double pct = 100 * c.move();
        if (c.move() >= 10 && before != null && after != null && before * after > 0) {
            return String.format(Locale.ROOT, "×%,.0f", after / before);
        }
        return sign + String.format(Locale.ROOT, pct >= 10 ? "%.0f%%" : pct >= 0.1 ? "%.1f%%" : "%.2g%%", pct);
    }

    /** A tolerance as people write it: 1e-9, 0.001, 0. */
    static String tolerance(double relative) {
        return relative == 0 || relative >= 1e-3 ? java.math.BigDecimal.valueOf(relative).stripTrailingZeros()
                .toPlainString() : String.format(Locale.ROOT, "%.0e", relative)
                .replaceAll("e-0*", "e-");
    }

    /** Form values that differ between two runs: {@code budget 10000 → 20000}. */
    private static String paramChanges(Map<String, String> before, Map<String, String> after) {
        java.util.Set<String> names = new java.util.TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        StringBuilder s = new StringBuilder();
        for (String name : names) {
            String was = before.get(name);
            String is = after.get(name);
            if (!java.util.Objects.equals(was, is)) {
                s.append(s.length() == 0 ? "" : ", ").append("<code>").append(esc(name)).append("</code> ")
                        .append(was == null ? "(unset)" : esc(was)).append(" → ").append(is == null ? "(unset)" : esc(is));
            }
        }
        return s.toString();
    }

    private static void paragraph(StringBuilder h, Paragraph p, Compared compared) {
        h.append("<section id=\"").append(anchor(p)).append("\">\n");
        String status;
        if (!p.enabled()) {
            status = "<span class=\"status\">disabled</span>";
        } else if (p.code() == null) {
            status = "<span class=\"status\">not run</span>";
        } else if (p.code() == InterpreterResult.Code.ERROR) {
            status = "<span class=\"status error\">error</span>";
        } else {
            status = "";
        }
        long changed = compared == null ? 0 : compared.result().changesIn(p.index());
        if (changed > 0) {
            status += "<a class=\"changed-mark\" href=\"#changes\">changed: " + changed + "</a>";
        }
        if (!p.title().isBlank()) {
            h.append("<h2>").append(esc(p.title())).append(status).append("</h2>\n");
        } else if (!status.isEmpty()) {
            h.append("<h2>").append(esc(p.label())).append(status).append("</h2>\n");
        }
        if (!p.text().isBlank() && !p.editorHidden()) {
            h.append("<details class=\"code\"><summary>code</summary><pre>").append(esc(p.text()))
                    .append("</pre></details>\n");
        }
        if (p.code() == null && p.enabled()) {
            h.append("<p class=\"notrun\">Not run: an earlier paragraph failed.</p>\n");
        }
        boolean error = p.code() == InterpreterResult.Code.ERROR;
        for (int k = 0; k < p.messages().size(); k++) {
            Map<String, String> before = compared == null ? null : compared.result().cellsBefore().get(p.id() + "#" + k);
            message(h, p.messages().get(k), error, before == null ? Map.of() : before);
        }
        h.append("</section>\n");
    }

    private static void message(StringBuilder h, InterpreterResultMessage m, boolean error,
            Map<String, String> cellsBefore) {
        String data = m.getData();
        switch (m.getType()) {
            case HTML -> h.append("<div class=\"html\">").append(data).append("</div>\n");
            case TABLE -> h.append("<div class=\"table-wrap\">").append(Display.htmlTable(data,
                    (row, column) -> cellsBefore.get(row + ":" + column))).append("</div>\n");
            case IMG -> h.append("<img alt=\"result\" src=\"data:image/png;base64,").append(esc(data.strip()))
                    .append("\">\n");
            default -> {
                if (!data.isBlank()) {
                    h.append(error ? "<pre class=\"error\">" : "<pre>").append(esc(data)).append("</pre>\n");
                }
            }
        }
    }

    /** Form values as {@code name=value}; an empty value says so rather than reading {@code name=}. */
    private static String params(Map<String, String> params) {
        StringBuilder s = new StringBuilder();
        params.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append("<code>").append(esc(k))
                .append(v.isEmpty() ? "</code> <span class=\"empty\">(empty)</span>" : "=" + esc(v) + "</code>"));
        return s.toString();
    }

    private static void row(StringBuilder h, String name, String html) {
        h.append("<dt>").append(name).append("</dt><dd>").append(html).append("</dd>\n");
    }

    private static String anchor(Paragraph p) {
        return "p" + (p.index() + 1);
    }

    /**
     * A report's file name as a link that can only lead to a file beside the index: encoded, after
     * {@code ./}, so that a note named {@code javascript:….zpln} links to a file of that name.
     */
    static String fileLink(String fileName) {
        return "./" + URLEncoder.encode(fileName, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String esc(String text) {
        return Escaping.escapeHtml(text, false);
    }
}
