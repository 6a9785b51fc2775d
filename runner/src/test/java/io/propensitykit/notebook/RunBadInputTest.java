package io.propensitykit.notebook;

import static io.propensitykit.notebook.NoteRun.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.cli.Cli;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code kit run}'s share of the bad-input suite: data that must not become markup, paragraphs that
 * never end, runs cut short, and command-line mistakes. Each case asserts the exit status, what the
 * user sees, and that the report and the executed note are written whenever a note ran.
 */
class RunBadInputTest extends NoteRunTestBase {

    @Test
    void dataShownThroughTheDisplayNeverBecomesMarkup() throws Exception {
        Path note = Notes.named("Escaping")
                .paragraph("Data", "%spark\nimport io.propensitykit.display.Display\n"
                        + "val name = \"Ann\\n%html <img src=y onerror=alert(1)>\"\n"
                        + "println(Display.text(name))\n"
                        + "println(Display.html(\"<p>Hello <b>%s</b></p>\", name))")
                .paragraph("Trusted", "%spark\nprintln(\"%html <b id='trusted'>markup the author wrote</b>\")")
                .write(tmp, "escaping.zpln");
        assertEquals(0, kit.note(note), kit.console());
        String html = kit.report("escaping");
        assertFalse(html.contains("<img src=y"), "a value from data is never markup");
        assertTrue(html.contains("&lt;img src=y onerror=alert(1)&gt;"), "it is shown as text");
        assertTrue(html.contains("<b id='trusted'>markup the author wrote</b>"), "a raw println is trusted HTML");
        assertTrue(data(kit.paragraph("escaping", 0)).contains("\n %html &lt;img") || html.contains("\n %html &lt;img"),
                "the REPL's echo of the val shows its text, markers included: " + data(kit.paragraph("escaping", 0)));
    }

    @Test
    void aNoteFileNamedLikeAScriptUrlIsLinkedAsAFile() throws Exception {
        Path note = Notes.named("Script name").paragraph("md", "%md hi").write(tmp, "javascript:alert(1).zpln");
        assertEquals(0, kit.note(note), kit.console());
        String index = kit.report("index");
        assertTrue(index.contains("<a href=\"./javascript%3Aalert%281%29.html\">Script name</a>"), index);
        assertFalse(index.contains("href=\"javascript:"), index);
        assertTrue(Files.exists(tmp.resolve("out").resolve("javascript:alert(1).html")), "the link leads to the report");
    }

    @Test
    void aFormValueWithALineBreakIsRefused() throws Exception {
        Path note = Notes.named("Form").paragraph("Show", "%spark\nprintln(z.textbox(\"segment\", \"web\"))")
                .write(tmp, "form.zpln");
        assertEquals(Cli.USAGE, kit.note(note, "-p", "segment=web\n%html <img src=y onerror=alert(1)>"));
        assertTrue(kit.console().startsWith("kit run: -p segment: a form value is one line, as in Zeppelin's forms;"
                + " got 'web\\n%html <img src=y onerror=alert(1)>'"), kit.console());
        assertFalse(Files.exists(tmp.resolve("out").resolve("form.html")), "nothing ran");
    }

    @Test
    void anotherNotesReportWithTheSameFileNameIsKeptUnlessOverwrite() throws Exception {
        Path mine = Notes.named("Weekly churn").paragraph("md", "%md churn").write(tmp.resolve("team-a"), "weekly.zpln");
        Path theirs = Notes.named("Weekly upsell").paragraph("md", "%md upsell").write(tmp.resolve("team-b"),
                "weekly.zpln");
        assertEquals(0, kit.note(mine), kit.console());
        String before = kit.report("weekly");
        kit.clearConsole();
        assertEquals(Cli.USAGE, kit.note(theirs));
        String id = kit.executed("weekly").get("id").getAsString();
        assertTrue(kit.console().startsWith("kit run: --out " + tmp.resolve("out") + " holds the report of another note"
                + " with the file name weekly.zpln (note 'Weekly churn', id " + id + "); running " + theirs
                + " would replace it. Pass --overwrite"), kit.console());
        assertEquals(before, kit.report("weekly"), "the other note's report is kept");
        assertEquals(0, kit.note(mine), "a rerun of the same note replaces its own report");
        assertEquals(0, kit.note(theirs, "--overwrite"), kit.console());
        assertTrue(kit.report("weekly").contains("upsell"));
    }

    @Test
    void theSparkUiIsOffUnlessAskedFor() throws Exception {
        // Spark serves its UI on every interface: its environment page and job kill buttons for anyone.
        Path note = Notes.named("UI").paragraph("Where", "%spark\nprintln(\"ui=\" + sc.uiWebUrl)").write(tmp, "ui.zpln");
        assertEquals(0, kit.note(note), kit.console());
        assertTrue(data(kit.paragraph("ui", 0)).contains("ui=None"), data(kit.paragraph("ui", 0)));
        assertEquals(0, kit.note(note, "--conf", "spark.ui.enabled=true", "--conf", "spark.ui.port=0"), kit.console());
        assertTrue(data(kit.paragraph("ui", 0)).contains("ui=Some(http://"), data(kit.paragraph("ui", 0)));
    }

    @Test
    void tabsAndNewlinesStayInsideTheirCells() throws Exception {
        Path note = Notes.named("Cells")
                .paragraph("Show", "%spark\nz.show(Seq((\"a\\tb\", \"line1\\nline2\"), (\"c\", \"d\")).toDF(\"x\", \"y\"))")
                .paragraph("SQL", "%sql\nSELECT concat('p', char(9), 'q') AS x, concat('l1', char(10), 'l2') AS y")
                .write(tmp, "cells.zpln");
        assertEquals(0, kit.note(note), kit.console());
        assertEquals("x\ty\na b\tline1 line2\nc\td\n", data(kit.paragraph("cells", 0)).strip() + "\n");
        assertEquals("x\ty\np q\tl1 l2\n", data(kit.paragraph("cells", 1)).strip() + "\n");
        String html = kit.report("cells");
        assertTrue(html.contains("<tr><td>a b</td><td>line1 line2</td></tr>"), html);
        assertTrue(html.contains("<tr><td>p q</td><td>l1 l2</td></tr>"), html);
    }

    @Test
    void aParagraphThatNeverEndsTimesOut() throws Exception {
        Path note = Notes.named("Endless")
                .paragraph("Sleeps", "%spark\nThread.sleep(600000)")
                .paragraph("After", "%spark\nprintln(\"after\")")
                .write(tmp, "endless.zpln");
        long t0 = System.nanoTime();
        assertEquals(1, kit.note(note, "--paragraph-timeout", "2"));
        assertTrue((System.nanoTime() - t0) / 1e9 < 60, "the run does not wait for the paragraph");
        JsonObject p = kit.paragraph("endless", 0);
        assertEquals("ERROR", p.get("status").getAsString());
        assertTrue(data(p).contains("Paragraph timed out after 2 s (--paragraph-timeout); its Spark jobs were"
                + " cancelled."), data(p));
        assertEquals("READY", kit.paragraph("endless", 1).get("status").getAsString());
        assertTrue(kit.report("endless").contains("timed out after 2 s"));
        assertTrue(kit.console().contains("[1/2] Sleeps … "), kit.console());
    }

    @Test
    void aTimedOutSparkJobIsCancelled() throws Exception {
        Path note = Notes.named("Slow job")
                .paragraph("Slow", "%spark\nspark.range(1).foreach(_ => Thread.sleep(600000))")
                .paragraph("Next", "%spark\nprintln(\"count=\" + spark.range(10).count)")
                .write(tmp, "slow.zpln");
        // local[1]: the next paragraph can run only if the slow task was really cancelled.
        assertEquals(1, kit.note(note, "--paragraph-timeout", "4", "--keep-going"));
        assertTrue(data(kit.paragraph("slow", 0)).contains("timed out after 4 s"));
        assertEquals("FINISHED", kit.paragraph("slow", 1).get("status").getAsString());
        assertTrue(data(kit.paragraph("slow", 1)).contains("count=10"));
    }

    static Stream<Arguments> usageMistakes() {
        return Stream.of(new String[] {"--bogus"}, new String[] {"NOTE", "--paragraph-timeout", "-1"},
                new String[] {"NOTE", "--paragraph-timeout", "abc"}, new String[] {"no-such-note.zpln"},
                new String[] {"NOTE", "-p", "novalue"}, new String[] {"NOTE", "--out"})
                .map(args -> Arguments.of((Object) args));
    }

    @ParameterizedTest
    @MethodSource
    void usageMistakes(String[] args) throws Exception {
        Path note = Notes.named("N").paragraph("md", "%md hi").write(tmp, "n.zpln");
        String[] filled = Stream.of(args).map(a -> a.equals("NOTE") ? note.toString() : a).toArray(String[]::new);
        assertEquals(Cli.USAGE, kit.run(filled), kit.console());
        String first = kit.console().lines().findFirst().orElse("");
        assertTrue(first.startsWith("kit run: "), first);
        assertTrue(kit.console().contains("Usage: kit run"));
        assertFalse(kit.console().contains("\tat "));
    }

    @Test
    void outThatIsAFileIsRefused() throws Exception {
        Path note = Notes.named("N").paragraph("md", "%md hi").write(tmp, "n.zpln");
        Path file = Files.writeString(tmp.resolve("file.txt"), "keep");
        assertEquals(Cli.USAGE, kit.run(note.toString(), "--out", file.toString()));
        assertTrue(kit.console().startsWith("kit run: --out " + file + " is a file"), kit.console());
        assertEquals("keep", Files.readString(file));
    }

    @Test
    void outThatCannotBeWrittenFailsBeforeAnyNoteRuns() throws Exception {
        Path readOnly = Path.of("/sys/kernel/mm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(readOnly), "needs Linux sysfs at " + readOnly);
        Path note = Notes.named("N").paragraph("Hi", "%spark\nprintln(\"hi\")").write(tmp, "n.zpln");
        assertEquals(Cli.FAILED, kit.run(note.toString(), "--out", readOnly.toString()));
        assertTrue(kit.console().startsWith("kit run: error: --out /sys/kernel/mm cannot be written: /sys/kernel/mm"
                + " does not let this user create files"), kit.console());
        assertFalse(kit.console().contains("[1/1]"), "no paragraph ran: " + kit.console());
    }

    @Test
    void outThatHoldsTheNotesIsRefused() throws Exception {
        Path note = Notes.named("N").paragraph("md", "%md hi").write(tmp.resolve("notes"), "n.zpln");
        String before = Files.readString(note);
        assertEquals(Cli.USAGE, kit.run(tmp.resolve("notes").toString(), "--out", tmp.resolve("notes").toString()));
        assertTrue(kit.console().contains("holds the notes being run: the executed notes would replace them"),
                kit.console());
        assertEquals(before, Files.readString(note), "the note is untouched");
    }

    @Test
    void aNoteThatIsNotJsonFailsInOneLine() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.zpln"), "{ not json");
        assertEquals(Cli.FAILED, kit.run(bad.toString(), "--out", tmp.resolve("out").toString()));
        String line = kit.console().lines().filter(l -> l.startsWith("kit run: error: ")).findFirst()
                .orElse("");
        assertTrue(line.contains(bad + " is not valid note JSON"), kit.console());
    }

    @Test
    void helpRunsNothing() {
        assertEquals(Cli.OK, kit.run("--help"));
        assertTrue(kit.console().contains("--paragraph-timeout=SECONDS"), kit.console());
    }

    private Process runInOwnJvm(Path note) throws Exception {
        return Project.kitRun(tmp, tmp.resolve("console.txt"), note.toString(), "--out", tmp.resolve("out").toString(),
                "--master", "local[1]");
    }

    /** sys.exit(0) in a paragraph ended the run with status 0, though the report showed ERROR. */
    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void sysExitInANoteFailsTheRunAndStillLeavesTheReport(int status) throws Exception {
        Path note = Notes.named("Exits")
                .paragraph("Before", "%spark\nprintln(\"before\")")
                .paragraph("Exit", "%spark\nsys.exit(" + status + ")")
                .paragraph("After", "%spark\nprintln(\"after\")")
                .write(tmp, "exits.zpln");
        Process p = runInOwnJvm(note);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the run ends");
        String console = Files.readString(tmp.resolve("console.txt"));
        assertEquals(Cli.FAILED, p.exitValue(), console);
        assertTrue(console.contains("kit run: stopped while running Exits; report written to "), console);
        assertTrue(console.contains("kit run: paragraph [2] Exit of Exits called sys.exit; the run failed, exit"
                + " status 1"), console);
        assertEquals("FINISHED", kit.paragraph("exits", 0).get("status").getAsString());
        assertEquals("ERROR", kit.paragraph("exits", 1).get("status").getAsString());
        assertFalse(kit.paragraph("exits", 2).has("results"), "the paragraph after the exit did not run");
        assertTrue(kit.report("exits").contains("This paragraph called sys.exit, which ended the run."));
        assertTrue(kit.report("index").contains("href=\"./exits.html\""), "the index lists the stopped note");
    }

    @Test
    void aSignalStillLeavesTheReport() throws Exception {
        Path note = Notes.named("Killed")
                .paragraph("Ready", "%spark\nprintln(\"ready\")")
                .paragraph("Long", "%spark\nprintln(\"halfway there\")\nThread.sleep(600000)")
                .write(tmp, "killed.zpln");
        Process p = runInOwnJvm(note);
        File console = tmp.resolve("console.txt").toFile();
        // The console shows a paragraph's line when it ends: once the first one's is there, the second
        // has started. It compiles, prints, then sleeps for ten minutes.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(console.toPath()).contains("[1/2] Ready … ") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(Files.readString(console.toPath()).contains("[1/2] Ready … "), "the first paragraph ran");
        Thread.sleep(8_000);

        p.destroy(); // SIGTERM, as a scheduler's kill or Ctrl-C would send
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue(), Files.readString(console.toPath()));
        assertEquals("FINISHED", kit.paragraph("killed", 0).get("status").getAsString());
        assertEquals("ERROR", kit.paragraph("killed", 1).get("status").getAsString());
        assertTrue(kit.report("killed").contains("The run was stopped while this paragraph ran (a signal)."));
        assertTrue(kit.report("killed").contains("halfway there"), "what the paragraph printed before the signal");
        assertTrue(kit.report("index").contains("href=\"./killed.html\""), "the index lists the stopped note");
    }
}
