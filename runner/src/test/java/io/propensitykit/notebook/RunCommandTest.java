package io.propensitykit.notebook;

import static io.propensitykit.notebook.NoteRun.data;
import static io.propensitykit.notebook.NoteRun.msgs;
import static io.propensitykit.notebook.NoteRun.paragraph;
import static io.propensitykit.notebook.NoteRun.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs small notes end to end through {@code kit run}'s entry point. */
class RunCommandTest extends NoteRunTestBase {

    /** A 1x1 PNG, base64: what a plot printed as {@code %img} looks like. */
    private static final String PNG_1PX =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

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
        int status = kit.run(note.toString(), "-p", "rows=4", "-p", "limit=7", "-p", "channels=web", "--out",
                tmp.resolve("out").toString(), "--master", "local[2]");
        String log = kit.console();
        assertEquals(0, status, log);
        JsonObject done = kit.executed("all");

        JsonObject md = paragraph(done, 0);
        assertEquals("FINISHED", md.get("status").getAsString());
        assertEquals("HTML", type(md, 0));
        assertEquals("<div class=\"markdown-body\">\n<h1>Heading</h1>\n<p>Some <em>text</em>.</p>\n\n</div>",
                data(md, 0));

        JsonObject rows = paragraph(done, 2);
        String text = data(rows, 0);
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
        assertEquals("TABLE", type(sql, 0));
        String sqlData = data(sql, 0);
        assertEquals("id\tscaled\n0\t0\n1\t2\n2\t4\n3\t6\n4\t8\n5\t10\n6\t12\n", sqlData);
        JsonObject sqlParams = sql.getAsJsonObject("settings").getAsJsonObject("params");
        assertEquals("7", sqlParams.get("limit").getAsString());
        assertEquals("2", sqlParams.get("factor").getAsString());

        JsonObject markers = paragraph(done, 5);
        assertEquals("HTML", type(markers, 0));
        assertEquals("<b id='x'>bold</b>\n", data(markers, 0));
        assertEquals("TEXT", type(markers, 1));
        assertEquals("plain\n", data(markers, 1));
        assertEquals("TABLE", type(markers, 2));
        assertEquals("a\tb\n1\t2\n", data(markers, 2));
        assertEquals("IMG", type(markers, 3));
        assertEquals(PNG_1PX, data(markers, 3));
        String html = kit.report("all");
        assertTrue(html.contains("<img alt=\"result\" src=\"data:image/png;base64," + PNG_1PX + "\">"));
        assertTrue(html.contains("<tr><th class=\"num\">a</th><th class=\"num\">b</th></tr>"), "number columns right-aligned");
        String header = html.substring(html.indexOf("<dt>Parameters</dt>"), html.indexOf("<dt>Started</dt>"));
        for (String used : List.of("rows=4", "limit=7", "factor=2", "segment=b", "channels=web")) {
            assertTrue(header.contains("<code>" + used + "</code>"), "the report's header lists " + used + ": " + header);
        }

        JsonObject forms = paragraph(done, 10);
        String formText = data(forms, 0);
        assertTrue(formText.contains("segment: Object = b"), "select falls back to its default: " + formText);
        assertTrue(formText.contains("channels: Seq[Object] = Buffer(web)"), "-p channels=web: " + formText);
        JsonObject formParams = forms.getAsJsonObject("settings").getAsJsonObject("params");
        assertEquals("b", formParams.get("segment").getAsString());
        assertEquals("web", formParams.getAsJsonArray("channels").get(0).getAsString());
        assertEquals("b", forms.getAsJsonObject("settings").getAsJsonObject("forms").getAsJsonObject("segment")
                .get("defaultValue").getAsString());

        String got = data(paragraph(done, 7), 0);
        assertTrue(got.contains("got: Object = 42"), got);

        JsonObject disabled = paragraph(done, 8);
        assertFalse(disabled.has("results"), "a disabled paragraph does not run");
        String partitions = data(paragraph(done, 9), 0);
        assertTrue(partitions.contains("String = 3"), partitions);

        assertTrue(log.contains("[1/11] Intro … "), log);
        // Spark starts as a step of its own, after the conf paragraph and before the first %spark one.
        int conf = log.indexOf("[2/11] Conf … ");
        int starting = log.indexOf("[spark] starting Spark for this note …");
        assertTrue(conf >= 0 && starting > conf && log.indexOf("[3/11] Rows form … ") > starting, log);
        assertTrue(log.matches("(?s).*\\[spark\\] Spark 3\\.5\\.\\d+ \\(local\\[2\\]\\) ready in \\d+\\.\\d s\n.*"), log);
        assertTrue(log.contains("[9/11] Disabled … disabled, skipped"), log);
        assertTrue(Files.exists(tmp.resolve("out/all.html")));
    }

    private Path echoNote(String name, String printReplOutput) throws Exception {
        return Notes.named(name)
                .paragraph("Conf", "%spark.conf\nzeppelin.spark.printREPLOutput " + printReplOutput)
                .paragraph("Values", "%spark\nimport scala.math.max\nval answer = max(41, 1) + 1\n"
                        + "case class Pair(a: Int, b: Int)\nprintln(s\"the answer is $answer\")\nPair(1, 2)")
                .paragraph("Html", "%spark\nprintln(\"%html <b>kept</b>\")")
                .paragraph("Boom", "%spark\nval y: Int = \"not an int\"")
                .write(tmp, name + ".zpln");
    }

    @Test
    void printReplOutputSwitchesTheEchoAndKeepsWhatIsPrinted() throws Exception {
        // Zeppelin's default (true): the echo of the import, the val, the class and the bare value.
        assertEquals(1, kit.note(echoNote("echo", "true")));
        JsonObject on = kit.executed("echo");
        String echoed = data(paragraph(on, 1), 0);
        for (String line : List.of("import scala.math.max", "answer: Int = 42", "defined class Pair",
                "Pair = Pair(1,2)", "the answer is 42")) {
            assertTrue(echoed.contains(line), line + " in: " + echoed);
        }
        // false, as the shipped notes set it: only what the paragraph prints.
        assertEquals(1, kit.note(echoNote("quiet", "FALSE")));
        JsonObject off = kit.executed("quiet");
        assertEquals("the answer is 42\n", data(paragraph(off, 1), 0));
        assertEquals(1, msgs(paragraph(off, 1)).size());
        assertEquals("HTML", type(paragraph(off, 2), 0));
        assertEquals("<b>kept</b>\n", data(paragraph(off, 2), 0));
        // A failure still says why in the report (Zeppelin sends it to its interpreter log instead).
        JsonObject boom = paragraph(off, 3);
        assertEquals("ERROR", boom.get("status").getAsString());
        assertTrue(data(boom, 0).contains("type mismatch"), data(boom, 0));

        assertEquals(1, kit.note(echoNote("wrong", "no")));
        assertTrue(kit.console().contains("zeppelin.spark.printREPLOutput to 'no': use true"), kit.console());
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
        int status = kit.note(failingNote());
        String log = kit.console();
        assertEquals(1, status, log);
        JsonObject done = kit.executed("failing");
        assertEquals("FINISHED", paragraph(done, 0).get("status").getAsString());
        JsonObject boom = paragraph(done, 1);
        assertEquals("ERROR", boom.get("status").getAsString());
        assertEquals("ERROR", boom.getAsJsonObject("results").get("code").getAsString());
        assertTrue(data(boom, 0).contains("java.lang.IllegalStateException: boom"));
        JsonObject after = paragraph(done, 2);
        assertEquals("READY", after.get("status").getAsString());
        assertFalse(after.has("results"));
        assertTrue(log.contains("[2/3] Boom … ") && log.contains(" FAILED"), log);
        assertTrue(log.contains("[3/3] After … not run"), log);
        assertTrue(log.contains("Failing: FAILED, 2 paragraphs ran, 1 failed, 1 not run"), log);

        String html = kit.report("failing");
        assertTrue(html.contains("<pre class=\"error\">"), "the error is shown in red");
        assertTrue(html.contains("java.lang.IllegalStateException: boom"));
        assertTrue(html.contains("Not run: an earlier paragraph failed."));
    }

    @Test
    void keepGoingRunsTheRest() throws Exception {
        int status = kit.note(failingNote(), "--keep-going");
        assertEquals(1, status, "a failure still fails the run");
        JsonObject after = paragraph(kit.executed("failing"), 2);
        assertEquals("FINISHED", after.get("status").getAsString());
    }

    @Test
    void tableValuesAreEscapedInTheReport() throws Exception {
        Path note = Notes.named("Escaping")
                .paragraph("Hostile", "%spark\nz.show(Seq(\"<script>alert(1)</script>\", \"a & b\").toDF(\"v\"))")
                .paragraph("Chart", "%spark\nprintln(\"%html <svg id='chart' width='10' height='10'></svg>\")")
                .paragraph("Spark SQL", "%spark.sql\nSELECT '<i>x</i>' AS v")
                .write(tmp, "escaping.zpln");
        assertEquals(0, kit.note(note));
        String html = kit.report("escaping");
        assertFalse(html.contains("<script>alert(1)</script>"), "table text never becomes markup");
        assertTrue(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"), html);
        assertTrue(html.contains("<td>a &amp; b</td>"));
        assertTrue(html.contains("<svg id='chart' width='10' height='10'></svg>"), "%html is kept as is");
        JsonObject sparkSql = paragraph(kit.executed("escaping"), 2);
        assertEquals("TABLE", type(sparkSql, 0));
        assertEquals("v\n<i>x</i>\n", data(sparkSql, 0));
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
        assertEquals(1, kit.note(note, "--keep-going"));
        JsonObject done = kit.executed("bad");
        assertTrue(data(paragraph(done, 0), 0)
                .startsWith("Interpreter %python is not supported by kit run"));
        assertEquals("FINISHED", paragraph(done, 1).get("status").getAsString());
        assertTrue(data(paragraph(done, 2), 0)
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
        assertEquals(0, kit.note(note, "--conf", "zeppelin.spark.maxResult=3"), kit.console());
        JsonObject done = kit.executed("show");
        JsonArray ignored = msgs(paragraph(done, 0));
        assertEquals("id\n0\n1\n2\n", ignored.get(0).getAsJsonObject().get("data").getAsString());
        assertTrue(ignored.get(1).getAsJsonObject().get("data").getAsString()
                .contains("<strong>Output is truncated</strong> to 3 rows"), ignored.toString());
        JsonArray limited = msgs(paragraph(done, 1));
        assertEquals("id\n0\n1\n", limited.get(0).getAsJsonObject().get("data").getAsString());
        assertFalse(limited.toString().contains("truncated"), limited.toString());
        assertEquals("id\n0\n1\n2\n", data(paragraph(done, 2), 0));
    }

    @Test
    void usageErrors() throws Exception {
        assertEquals(2, kit.run("-p", "x=1"));
        assertTrue(kit.console().startsWith("kit run: Missing required parameter: 'NOTE.zpln|DIR'"),
                kit.console());
        kit.clearConsole();
        assertEquals(2, kit.run(tmp.toString()));
        assertTrue(kit.console().startsWith("kit run: no .zpln notes in " + tmp), kit.console());
        kit.clearConsole();
        Path note = Notes.named("N").paragraph("md", "%md hi").write(tmp, "n.zpln");
        assertEquals(2, kit.run(note.toString(), "-p", "novalue"));
        assertTrue(kit.console().contains("should be in KEY=VALUE format"), kit.console());
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
        assertEquals(1, kit.notes(List.of(first, second)));
        String firstApp = data(paragraph(kit.executed("a-first"), 0), 0);
        String own = data(paragraph(kit.executed("b-second"), 0), 0);
        String app1 = firstApp.lines().filter(l -> l.startsWith("app=")).findFirst().orElseThrow();
        String app2 = own.lines().filter(l -> l.startsWith("app=")).findFirst().orElseThrow();
        assertFalse(app1.equals(app2), "each note has its own Spark application: " + app1 + " / " + app2);
        assertTrue(own.contains("shared=null"), own);
        String use = data(paragraph(kit.executed("b-second"), 1), 0);
        assertTrue(use.contains("not found: value secret"), use);
        assertTrue(kit.console().contains("2 notes, 1 failed"), kit.console());
    }

    @Test
    void theIndexListsEveryReportWithItsStatusTimeAndParameters() throws Exception {
        Path fine = Notes.named("Fine <one>").paragraph("Rows", "%spark\nval n = z.textbox(\"rows\", \"5\")\n"
                + "val path = z.textbox(\"baseline\", \"\")").write(tmp, "a-fine.zpln");
        assertEquals(1, kit.notes(List.of(fine, failingNote()), "-p", "rows=7", "--keep-going"), kit.console());
        String index = kit.report("index");
        assertTrue(index.contains("<a href=\"./a-fine.html\">Fine &lt;one&gt;</a></td><td>ok</td><td>1 ran</td>"),
                index);
        assertTrue(index.contains("<a href=\"./failing.html\">Failing</a></td><td class=\"status error\">failed</td>"
                + "<td>3 ran, 1 failed</td>"), index);
        assertTrue(index.contains("<code>rows=7</code>"), "the parameters the note used: " + index);
        assertTrue(index.contains("<code>baseline</code> <span class=\"empty\">(empty)</span>"),
                "an empty parameter says so: " + index);
        assertFalse(index.contains("baseline=<"), index);
        assertTrue(index.contains("2, 1 failed"), index);
        assertTrue(kit.console().contains("2 notes, 1 failed; index "), kit.console());
    }

    @Test
    void theIndexAccumulatesRunsIntoTheSameFolderNewestFirst() throws Exception {
        Path first = Notes.named("First").paragraph("md", "%md one").write(tmp, "first.zpln");
        Path second = Notes.named("Second").paragraph("md", "%md two").write(tmp, "second.zpln");
        assertEquals(0, kit.note(first));
        Thread.sleep(1_100); // the index orders by start, to the millisecond; a clear gap keeps the order certain
        assertEquals(0, kit.note(second));
        String index = kit.report("index");
        int at1 = index.indexOf("href=\"./first.html\"");
        int at2 = index.indexOf("href=\"./second.html\"");
        assertTrue(at1 > 0 && at2 > 0, "both runs are listed: " + index);
        assertTrue(at2 < at1, "the newest first: " + index);
        assertTrue(index.contains("<dd>2, none failed</dd>"), index);
        // A note run again replaces its row, not adds one.
        assertEquals(0, kit.note(first));
        index = kit.report("index");
        assertEquals(1, index.split("href=\"./first.html\"", -1).length - 1, index);
        assertTrue(index.indexOf("href=\"./first.html\"") < index.indexOf("href=\"./second.html\""), index);
    }

    @Test
    void aNoteWithNothingToDoSaysSoInTheIndexAndTheConsole() throws Exception {
        Path idle = Notes.named("Idle").paragraph("Data", "%spark\nprintln(io.propensitykit.display.Display"
                + ".nothingToDo(\"<b>%s</b> is not in %s.\", \"hillstrom.csv\", \"/data\"))")
                .paragraph("Rest", "%spark\nprintln(\"%text nothing here\")").write(tmp, "idle.zpln");
        assertEquals(0, kit.note(idle), "nothing to do is not a failure");
        String index = kit.report("index");
        assertTrue(index.contains("<td class=\"idle\">nothing to do: hillstrom.csv is not in /data.</td>"), index);
        assertTrue(index.contains("1 with nothing to do"), index);
        assertTrue(kit.console().contains("Idle: ok, nothing to do (hillstrom.csv is not in /data.)"), kit.console());
    }

    @Test
    void notesThatWouldOverwriteAReportAreRefused() throws Exception {
        Path index = Notes.named("Index").paragraph("md", "%md hi").write(tmp, "index.zpln");
        assertEquals(2, kit.note(index));
        assertTrue(kit.console().contains("a note named index.zpln would write its report over the run's index.html"),
                kit.console());
        Path one = Notes.named("One").paragraph("md", "%md hi").write(tmp.resolve("x"), "same.zpln");
        Path two = Notes.named("Two").paragraph("md", "%md hi").write(tmp.resolve("y"), "same.zpln");
        kit.clearConsole();
        assertEquals(2, kit.notes(List.of(one, two)));
        assertTrue(kit.console().startsWith("kit run: two notes are named same.zpln"), kit.console());
        assertFalse(Files.exists(tmp.resolve("out")), "nothing is written");
    }
}
