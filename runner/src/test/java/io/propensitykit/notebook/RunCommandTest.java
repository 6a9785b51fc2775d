package io.propensitykit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs small notes end to end through {@code kit run}'s entry point. */
class RunCommandTest {

    /** A 1x1 PNG, base64: what a plot printed as {@code %img} looks like. */
    private static final String PNG_1PX =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    private final PrintStream console = new PrintStream(consoleBytes, true);

    private int run(String... args) throws Exception {
        return RunCommand.run(args, console);
    }

    private JsonObject executed(String base) throws Exception {
        return JsonParser.parseString(Files.readString(tmp.resolve("out").resolve(base + ".zpln"))).getAsJsonObject();
    }

    private static JsonObject paragraph(JsonObject note, int index) {
        return note.getAsJsonArray("paragraphs").get(index).getAsJsonObject();
    }

    private static JsonArray msgs(JsonObject p) {
        return p.getAsJsonObject("results").getAsJsonArray("msg");
    }

    @Test
    void everyInterpreterAndMarker() throws Exception {
        Path note = Notes.named("All features")
                .paragraph("Intro", "%md\n# Heading\nSome *text*.")
                .paragraph("Conf", "%spark.conf\nspark.sql.shuffle.partitions 3\n# a comment")
                .paragraph("Rows form", "%spark\nval n = z.textbox(\"rows\", \"10\").toString.toInt\n"
                        + "val df = spark.range(n).toDF(\"id\")\nprintln(s\"rows=${n}\")")
                .paragraph("Show", "%spark\nz.show(df)\nz.show(df, 2)")
                .paragraph("SQL", "%sql\nSELECT id, id * ${factor=2} AS scaled FROM range(${limit=5,3|5|7})")
                .paragraph("Markers", "%spark\nprintln(\"%html <b id='x'>bold</b>\")\nprintln(\"%text plain\")\n"
                        // As in Zeppelin, a table ends at a blank line; only then does a marker start a new result.
                        + "println(\"%table a\\tb\\n1\\t2\\n\")\nprint(\"%img " + PNG_1PX + "\")")
                .paragraph("Put", "%spark\nz.put(\"answer\", 42)")
                .paragraph("Default interpreter", "val got = z.get(\"answer\")")
                .paragraph("Disabled", "%spark\nthrow new RuntimeException(\"disabled paragraphs must not run\")", false)
                .paragraph("Shuffle partitions", "%spark\nspark.conf.get(\"spark.sql.shuffle.partitions\")")
                .paragraph("Forms", "%spark\nval segment = z.select(\"segment\", \"b\", Seq((\"a\", \"A\"), (\"b\", \"B\")))\n"
                        + "val channels = z.checkbox(\"channels\", Seq((\"web\", \"Web\"), (\"store\", \"Store\")))")
                .write(tmp, "all.zpln");
        int status = run(note.toString(), "-p", "rows=4", "-p", "limit=7", "-p", "channels=web", "--out",
                tmp.resolve("out").toString(), "--master", "local[2]");
        String log = consoleBytes.toString();
        assertEquals(0, status, log);
        JsonObject done = executed("all");

        JsonObject md = paragraph(done, 0);
        assertEquals("FINISHED", md.get("status").getAsString());
        assertEquals("HTML", msgs(md).get(0).getAsJsonObject().get("type").getAsString());
        assertEquals("<div class=\"markdown-body\">\n<h1>Heading</h1>\n<p>Some <em>text</em>.</p>\n\n</div>",
                msgs(md).get(0).getAsJsonObject().get("data").getAsString());

        JsonObject rows = paragraph(done, 2);
        String text = msgs(rows).get(0).getAsJsonObject().get("data").getAsString();
        assertTrue(text.contains("rows=4"), "Scala's ${n} interpolates, the form value is 4: " + text);
        assertEquals("4", rows.getAsJsonObject("settings").getAsJsonObject("params").get("rows").getAsString());
        assertEquals("10", rows.getAsJsonObject("settings").getAsJsonObject("forms").getAsJsonObject("rows")
                .get("defaultValue").getAsString());

        JsonObject show = paragraph(done, 3);
        JsonObject table = msgs(show).get(0).getAsJsonObject();
        assertEquals("TABLE", table.get("type").getAsString());
        assertEquals("id\n0\n1\n2\n3\n", table.get("data").getAsString());
        // z.show(df, 2): Zeppelin 0.12 ignores the 2 and shows up to zeppelin.spark.maxResult rows.
        JsonObject limited = msgs(show).get(1).getAsJsonObject();
        assertEquals("TABLE", limited.get("type").getAsString());
        assertEquals("id\n0\n1\n2\n3\n", limited.get("data").getAsString());

        JsonObject sql = paragraph(done, 4);
        assertEquals("TABLE", msgs(sql).get(0).getAsJsonObject().get("type").getAsString());
        String sqlData = msgs(sql).get(0).getAsJsonObject().get("data").getAsString();
        assertEquals("id\tscaled\n0\t0\n1\t2\n2\t4\n3\t6\n4\t8\n5\t10\n6\t12\n", sqlData);
        JsonObject sqlParams = sql.getAsJsonObject("settings").getAsJsonObject("params");
        assertEquals("7", sqlParams.get("limit").getAsString());
        assertEquals("2", sqlParams.get("factor").getAsString());

        JsonArray markers = msgs(paragraph(done, 5));
        assertEquals("HTML", markers.get(0).getAsJsonObject().get("type").getAsString());
        assertEquals("<b id='x'>bold</b>\n", markers.get(0).getAsJsonObject().get("data").getAsString());
        assertEquals("TEXT", markers.get(1).getAsJsonObject().get("type").getAsString());
        assertEquals("plain\n", markers.get(1).getAsJsonObject().get("data").getAsString());
        assertEquals("TABLE", markers.get(2).getAsJsonObject().get("type").getAsString());
        assertEquals("a\tb\n1\t2\n", markers.get(2).getAsJsonObject().get("data").getAsString());
        assertEquals("IMG", markers.get(3).getAsJsonObject().get("type").getAsString());
        assertEquals(PNG_1PX, markers.get(3).getAsJsonObject().get("data").getAsString());
        String html = Files.readString(tmp.resolve("out").resolve("all.html"));
        assertTrue(html.contains("<img alt=\"result\" src=\"data:image/png;base64," + PNG_1PX + "\">"));
        assertTrue(html.contains("<tr><th>a</th><th>b</th></tr>"));
        String header = html.substring(html.indexOf("<dt>Parameters</dt>"), html.indexOf("<dt>Started</dt>"));
        for (String used : List.of("rows=4", "limit=7", "factor=2", "segment=b", "channels=web")) {
            assertTrue(header.contains("<code>" + used + "</code>"), "the report's header lists " + used + ": " + header);
        }

        JsonObject forms = paragraph(done, 10);
        String formText = msgs(forms).get(0).getAsJsonObject().get("data").getAsString();
        assertTrue(formText.contains("segment: Object = b"), "select falls back to its default: " + formText);
        assertTrue(formText.contains("channels: Seq[Object] = Buffer(web)"), "-p channels=web: " + formText);
        JsonObject formParams = forms.getAsJsonObject("settings").getAsJsonObject("params");
        assertEquals("b", formParams.get("segment").getAsString());
        assertEquals("web", formParams.getAsJsonArray("channels").get(0).getAsString());
        assertEquals("b", forms.getAsJsonObject("settings").getAsJsonObject("forms").getAsJsonObject("segment")
                .get("defaultValue").getAsString());

        String got = msgs(paragraph(done, 7)).get(0).getAsJsonObject().get("data").getAsString();
        assertTrue(got.contains("got: Object = 42"), got);

        JsonObject disabled = paragraph(done, 8);
        assertFalse(disabled.has("results"), "a disabled paragraph does not run");
        String partitions = msgs(paragraph(done, 9)).get(0).getAsJsonObject().get("data").getAsString();
        assertTrue(partitions.contains("String = 3"), partitions);

        assertTrue(log.contains("[1/11] Intro … "), log);
        assertTrue(log.contains("[9/11] Disabled … disabled, skipped"), log);
        assertTrue(Files.exists(tmp.resolve("out").resolve("all.html")));
    }

    private Path failingNote() throws Exception {
        return Notes.named("Failing")
                .paragraph("Fine", "%spark\nval x = 1")
                .paragraph("Boom", "%spark\nthrow new IllegalStateException(\"boom\")")
                .paragraph("After", "%md\nafter the failure")
                .write(tmp, "failing.zpln");
    }

    @Test
    void aFailingParagraphStopsTheNote() throws Exception {
        int status = run(failingNote().toString(), "--out", tmp.resolve("out").toString(), "--master", "local[1]");
        String log = consoleBytes.toString();
        assertEquals(1, status, log);
        JsonObject done = executed("failing");
        assertEquals("FINISHED", paragraph(done, 0).get("status").getAsString());
        JsonObject boom = paragraph(done, 1);
        assertEquals("ERROR", boom.get("status").getAsString());
        assertEquals("ERROR", boom.getAsJsonObject("results").get("code").getAsString());
        assertTrue(msgs(boom).get(0).getAsJsonObject().get("data").getAsString()
                .contains("java.lang.IllegalStateException: boom"));
        JsonObject after = paragraph(done, 2);
        assertEquals("READY", after.get("status").getAsString());
        assertFalse(after.has("results"));
        assertTrue(log.contains("[2/3] Boom … ") && log.contains(" FAILED"), log);
        assertTrue(log.contains("[3/3] After … not run"), log);
        assertTrue(log.contains("Failing: FAILED, 2 paragraphs ran, 1 failed, 1 not run"), log);

        String html = Files.readString(tmp.resolve("out").resolve("failing.html"));
        assertTrue(html.contains("<pre class=\"error\">"), "the error is shown in red");
        assertTrue(html.contains("java.lang.IllegalStateException: boom"));
        assertTrue(html.contains("Not run: an earlier paragraph failed."));
    }

    @Test
    void keepGoingRunsTheRest() throws Exception {
        int status = run(failingNote().toString(), "--out", tmp.resolve("out").toString(), "--master", "local[1]",
                "--keep-going");
        assertEquals(1, status, "a failure still fails the run");
        JsonObject after = paragraph(executed("failing"), 2);
        assertEquals("FINISHED", after.get("status").getAsString());
    }

    @Test
    void tableValuesAreEscapedInTheReport() throws Exception {
        Path note = Notes.named("Escaping")
                .paragraph("Hostile", "%spark\nz.show(Seq(\"<script>alert(1)</script>\", \"a & b\").toDF(\"v\"))")
                .paragraph("Chart", "%spark\nprintln(\"%html <svg id='chart' width='10' height='10'></svg>\")")
                .paragraph("Spark SQL", "%spark.sql\nSELECT '<i>x</i>' AS v")
                .write(tmp, "escaping.zpln");
        assertEquals(0, run(note.toString(), "--out", tmp.resolve("out").toString(), "--master", "local[1]"));
        String html = Files.readString(tmp.resolve("out").resolve("escaping.html"));
        assertFalse(html.contains("<script>alert(1)</script>"), "table text never becomes markup");
        assertTrue(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"), html);
        assertTrue(html.contains("<td>a &amp; b</td>"));
        assertTrue(html.contains("<svg id='chart' width='10' height='10'></svg>"), "%html is kept as is");
        JsonObject sparkSql = paragraph(executed("escaping"), 2);
        assertEquals("TABLE", msgs(sparkSql).get(0).getAsJsonObject().get("type").getAsString());
        assertEquals("v\n<i>x</i>\n", msgs(sparkSql).get(0).getAsJsonObject().get("data").getAsString());
        assertTrue(html.contains("<td>&lt;i&gt;x&lt;/i&gt;</td>"));
        assertFalse(html.contains("http://") || html.contains("https://"), "nothing is fetched from the network");
    }

    @Test
    void unsupportedInterpreterAndLateConfFailWithReasons() throws Exception {
        Path note = Notes.named("Bad")
                .paragraph("Python", "%python\nprint(1)")
                .paragraph("Start", "%spark\n1")
                .paragraph("Late conf", "%spark.conf\nspark.executor.memory 2g")
                .write(tmp, "bad.zpln");
        assertEquals(1, run(note.toString(), "--out", tmp.resolve("out").toString(), "--master", "local[1]",
                "--keep-going"));
        JsonObject done = executed("bad");
        assertTrue(msgs(paragraph(done, 0)).get(0).getAsJsonObject().get("data").getAsString()
                .startsWith("Interpreter %python is not supported by kit run"));
        assertEquals("FINISHED", paragraph(done, 1).get("status").getAsString());
        assertTrue(msgs(paragraph(done, 2)).get(0).getAsJsonObject().get("data").getAsString()
                .startsWith("%spark.conf must run before Spark starts"));
    }

    /**
     * Zeppelin 0.12's rule (its Spark interpreter passes only {@code zeppelin.spark.maxResult} to
     * {@code showData}): {@code z.show(df, n)} shows up to maxResult rows whatever n is, then the
     * truncation notice; {@code df.limit(n)} is the way to show n rows.
     */
    @Test
    void showIgnoresItsRowCountAsZeppelin012Does() throws Exception {
        Path note = Notes.named("Show rule")
                .paragraph("Ignored n", "%spark\nz.show(spark.range(10).toDF(\"id\"), 5)")
                .paragraph("Limit", "%spark\nz.show(spark.range(10).toDF(\"id\").limit(2))")
                .paragraph("SQL", "%sql\nSELECT id FROM range(10)")
                .write(tmp, "show.zpln");
        assertEquals(0, run(note.toString(), "--out", tmp.resolve("out").toString(), "--master", "local[1]",
                "--conf", "zeppelin.spark.maxResult=3"), consoleBytes.toString());
        JsonObject done = executed("show");
        JsonArray ignored = msgs(paragraph(done, 0));
        assertEquals("id\n0\n1\n2\n", ignored.get(0).getAsJsonObject().get("data").getAsString());
        assertTrue(ignored.get(1).getAsJsonObject().get("data").getAsString()
                .contains("<strong>Output is truncated</strong> to 3 rows"), ignored.toString());
        JsonArray limited = msgs(paragraph(done, 1));
        assertEquals("id\n0\n1\n", limited.get(0).getAsJsonObject().get("data").getAsString());
        assertFalse(limited.toString().contains("truncated"), limited.toString());
        assertEquals("id\n0\n1\n2\n", msgs(paragraph(done, 2)).get(0).getAsJsonObject().get("data").getAsString());
    }

    @Test
    void usageErrors() throws Exception {
        assertEquals(2, run("-p", "x=1"));
        assertTrue(consoleBytes.toString().startsWith("kit run: Missing required parameter: 'NOTE.zpln|DIR'"),
                consoleBytes.toString());
        consoleBytes.reset();
        assertEquals(2, run(tmp.toString()));
        assertTrue(consoleBytes.toString().startsWith("kit run: no .zpln notes in " + tmp), consoleBytes.toString());
        consoleBytes.reset();
        Path note = Notes.named("N").paragraph("md", "%md hi").write(tmp, "n.zpln");
        assertEquals(2, run(note.toString(), "-p", "novalue"));
        assertTrue(consoleBytes.toString().contains("should be in KEY=VALUE format"), consoleBytes.toString());
    }

    @Test
    void notesDoNotShareState() throws Exception {
        Path first = Notes.named("First")
                .paragraph("Define", "%spark\nval secret = 42\nz.put(\"shared\", 1)\nprintln(\"app=\" + sc.applicationId)")
                .write(tmp, "a-first.zpln");
        Path second = Notes.named("Second")
                .paragraph("Own app", "%spark\nprintln(\"app=\" + sc.applicationId)\nprintln(\"shared=\" + z.get(\"shared\"))")
                .paragraph("Use", "%spark\nsecret")
                .write(tmp, "b-second.zpln");
        assertEquals(1, run(first.toString(), second.toString(), "--out", tmp.resolve("out").toString(),
                "--master", "local[1]"));
        String firstApp = msgs(paragraph(executed("a-first"), 0)).get(0).getAsJsonObject().get("data").getAsString();
        String own = msgs(paragraph(executed("b-second"), 0)).get(0).getAsJsonObject().get("data").getAsString();
        String app1 = firstApp.lines().filter(l -> l.startsWith("app=")).findFirst().orElseThrow();
        String app2 = own.lines().filter(l -> l.startsWith("app=")).findFirst().orElseThrow();
        assertFalse(app1.equals(app2), "each note has its own Spark application: " + app1 + " / " + app2);
        assertTrue(own.contains("shared=null"), own);
        String use = msgs(paragraph(executed("b-second"), 1)).get(0).getAsJsonObject().get("data").getAsString();
        assertTrue(use.contains("not found: value secret"), use);
        assertTrue(consoleBytes.toString().contains("2 notes, 1 failed"), consoleBytes.toString());
    }
}
