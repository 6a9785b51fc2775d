package io.propensitykit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.propensitykit.display.Display;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kit run --server}: note 01 run on a Zeppelin server that replays the exchanges recorded
 * from a real Zeppelin 0.12.0 ({@link FakeZeppelin}). The requests the client sends are checked
 * against the recorded ones, the report against the recorded results, and each fault ends in one
 * line, a report, and no note left behind where it can still be deleted.
 */
class ServerRunTest extends NoteRunTestBase {

    private static final Path NOTE01 = Project.root().resolve("notebooks/01-getting-started.zpln");
    private static final String JAR = "/opt/propensity-kit/kit-0.1.0-SNAPSHOT-all.jar";
    private static final String NOTE_ID = "2N8XJ1WP6";

    @BeforeAll
    static void recordings() {
        assumeTrue(FakeZeppelin.available(), "the recorded Zeppelin exchanges are not in " + FakeZeppelin.recordings());
        System.setProperty("kit.run.pollMillis", "5");
    }

    @AfterAll
    static void restore() {
        System.clearProperty("kit.run.pollMillis");
    }

    private int run(FakeZeppelin z, String... more) {
        List<String> args = new ArrayList<>(List.of(NOTE01.toString(), "--server", z.uri().toString(), "--out",
                tmp.resolve("out").toString()));
        args.addAll(List.of(more));
        return kit.run(args.toArray(new String[0]));
    }

    @Test
    void theGettingStartedNoteGivesTheRecordedTablesAndSendsTheRecordedRequests() throws Exception {
        try (FakeZeppelin z = new FakeZeppelin()) {
            assertEquals(0, run(z, "--spark-jars", JAR), kit.console());
            JsonObject recorded = z.recorded("08-get-note-with-results-01.json", "response").getAsJsonObject("body")
                    .getAsJsonObject("body");
            JsonObject executed = kit.executed("01-getting-started");
            String html = kit.report("01-getting-started");
            int tables = 0;
            for (int i = 0; i < recorded.getAsJsonArray("paragraphs").size(); i++) {
                JsonObject want = recorded.getAsJsonArray("paragraphs").get(i).getAsJsonObject();
                JsonObject got = NoteRun.paragraph(executed, i);
                assertEquals(want.get("id"), got.get("id"));
                assertEquals("FINISHED", got.get("status").getAsString(), got.get("id").toString());
                List<String> wantTables = tables(want);
                assertEquals(wantTables, tables(got), "the tables of " + got.get("id"));
                for (String table : wantTables) {
                    assertTrue(html.contains(Display.htmlTable(table)), "the report shows the table " + table);
                    tables++;
                }
                assertTrue(got.get("dateStarted").getAsString().matches("2026-12-06 \\d\\d:\\d\\d:\\d\\d\\.000"),
                        "the server's dates in the runner's format: " + got.get("dateStarted"));
                for (JsonElement m : NoteRun.msgs(got)) {
                    assertFalse(m.getAsJsonObject().get("data").getAsString().contains("\u001b["), "no ANSI colours");
                }
            }
            assertEquals(3, tables, "note 01 shows three tables");
            assertTrue(html.contains("on the Zeppelin server " + z.uri()), "the report says where it ran");

            // The requests, against the recorded ones.
            List<FakeZeppelin.Request> sent = z.requests();
            List<String> calls = sent.stream().map(r -> r.method() + " " + r.path()).toList();
            List<String> expected = new ArrayList<>(List.of("GET /api/interpreter/setting", "POST /api/notebook/import",
                    "PUT /api/notebook/" + NOTE_ID + "/paragraph/paragraph_01_02",
                    "PUT /api/interpreter/setting/restart/spark"));
            for (JsonElement p : recorded.getAsJsonArray("paragraphs")) {
                String job = "/api/notebook/job/" + NOTE_ID + "/" + p.getAsJsonObject().get("id").getAsString();
                expected.addAll(List.of("POST " + job, "GET " + job, "GET " + job));
            }
            expected.addAll(List.of("GET /api/notebook/" + NOTE_ID, "DELETE /api/notebook/" + NOTE_ID));
            assertEquals(expected, calls);
            JsonObject imported = sent.get(1).json();
            assertEquals(z.recorded("02-import-note.json", "request").getAsJsonObject("body").keySet(), imported.keySet(),
                    "the import sends a note of the recorded shape");
            assertTrue(imported.get("name").getAsString().startsWith("01 Getting started (kit run "), imported.toString());
            // spark.jars set as recorded; the note's conf has gained a line since the recording.
            JsonObject conf = z.recorded("04-update-paragraph-spark-jars.json", "request").getAsJsonObject("body");
            assertEquals(conf.keySet(), sent.get(2).json().keySet());
            String text = sent.get(2).json().get("text").getAsString();
            assertTrue(text.startsWith(conf.get("text").getAsString()) && text.contains("\nspark.jars " + JAR + "\n"),
                    text);
            assertEquals(z.recorded("05-restart-spark-interpreter.json", "request").get("body"), sent.get(3).json());
            assertTrue(sent.get(4).json().getAsJsonObject("params").keySet().isEmpty(), "no -p, no form values");
            assertEquals(java.util.Set.of(NOTE_ID), z.deleted(), "the imported note is deleted");
        }
    }

    @Test
    void formValuesTravelWithEachParagraphAndKeepNoteKeepsIt() throws Exception {
        try (FakeZeppelin z = new FakeZeppelin()) {
            assertEquals(0, run(z, "-p", "rows=5000", "--keep-note"), kit.console());
            FakeZeppelin.Request first = z.requests().stream().filter(r -> r.method().equals("POST")
                    && r.path().contains("/api/notebook/job/")).findFirst().orElseThrow();
            assertEquals("5000", first.json().getAsJsonObject("params").get("rows").getAsString());
            assertTrue(z.deleted().isEmpty(), "--keep-note");
            assertTrue(kit.console().contains("kept the note " + NOTE_ID), kit.console());
            // Without --spark-jars the note's own conf stays; the interpreter still restarts for it.
            assertTrue(z.requests().stream().noneMatch(r -> r.path().contains("/paragraph/")), "no paragraph edited");
            assertTrue(z.requests().stream().anyMatch(r -> r.path().startsWith("/api/interpreter/setting/restart/")));
        }
    }

    /** Recorded exchanges 17 and 18: the blocking run answered 200 {"status": "OK"}, but the kit's paragraph failed. */
    @Test
    void theKitMissingRunFailsThoughTheServerAnswered200() throws Exception {
        try (FakeZeppelin z = new FakeZeppelin()) {
            assertEquals("OK", z.recorded("17-run-note-blocking-kit-missing.json", "response").getAsJsonObject("body")
                    .get("status").getAsString(), "what the server's own run answered");
            z.noteRecording = "18-get-note-kit-missing-error.json";
            assertEquals(1, run(z), kit.console());
            String log = kit.console();
            assertTrue(log.contains("[3/8] Is the kit there? … ") && log.contains(" FAILED\n    java.lang.RuntimeException:"
                    + " The propensity kit is not on this interpreter's class path: set spark.jars"), log);
            assertTrue(log.contains("[4/8] Generate customers … not run"), log);
            JsonObject executed = kit.executed("01-getting-started");
            assertEquals("ERROR", NoteRun.paragraph(executed, 2).get("status").getAsString());
            assertEquals("READY", NoteRun.paragraph(executed, 3).get("status").getAsString());
            assertTrue(kit.report("01-getting-started").contains("<pre class=\"error\">java.lang.RuntimeException: The"
                    + " propensity kit is not on this interpreter"));
            assertEquals(java.util.Set.of(NOTE_ID), z.deleted());
        }
    }

    @Test
    void anUnreachableServerIsOneLineAndAReport() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        int status = kit.run(NOTE01.toString(), "--server", "http://127.0.0.1:" + port, "--out",
                tmp.resolve("out").toString());
        assertEquals(1, status, kit.console());
        assertTrue(kit.console().contains("kit run: cannot reach the Zeppelin server at http://127.0.0.1:" + port),
                kit.console());
        assertTrue(Files.exists(tmp.resolve("out").resolve("01-getting-started.html")), "a report of what ran: nothing");
        assertEquals("READY", kit.paragraph("01-getting-started", 0).get("status").getAsString());
    }

    @Test
    void aRestartThatHangsEndsTheRunAndTheNoteIsDeleted() throws Exception {
        try (FakeZeppelin z = new FakeZeppelin()) {
            z.restartMillis = 3_000;
            assertEquals(1, run(z, "--restart-timeout", "1"), kit.console());
            assertTrue(kit.console().contains("kit run: the run on the Zeppelin server at " + z.uri() + " stopped: the"
                    + " Spark interpreter did not restart within 1 s"), kit.console());
            assertEquals(java.util.Set.of(NOTE_ID), z.deleted());
        }
    }

    @Test
    void aParagraphThatNeverEndsIsCancelledThroughTheApi() throws Exception {
        try (FakeZeppelin z = new FakeZeppelin()) {
            z.endless = "paragraph_01_03";
            assertEquals(1, run(z, "--paragraph-timeout", "1"), kit.console());
            assertEquals(java.util.Set.of("paragraph_01_03"), z.cancelled());
            assertTrue(kit.console().contains("[4/8] Generate customers … ") && kit.console().contains(
                    "FAILED (timed out, cancelled)"), kit.console());
            JsonObject p = kit.paragraph("01-getting-started", 3);
            assertEquals("ERROR", p.get("status").getAsString());
            assertTrue(NoteRun.data(p).contains("Paragraph timed out after 1 s (--paragraph-timeout); it was cancelled"
                    + " on the server."), NoteRun.data(p));
            assertEquals("READY", kit.paragraph("01-getting-started", 4).get("status").getAsString());
            assertEquals(java.util.Set.of(NOTE_ID), z.deleted());
        }
    }

    /**
     * A signal mid-run: {@code kit run}'s shutdown hook writes the report, then calls {@code abandon},
     * which cancels the paragraph running on the server and deletes the imported note, once.
     */
    @Test
    void aSignalCancelsTheRunningParagraphAndDeletesTheNote() throws Exception {
        try (FakeZeppelin z = new FakeZeppelin()) {
            z.endless = "paragraph_01_03";
            java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
            ServerRunner runner = new ServerRunner(Note.read(NOTE01),
                    new RunOptions(List.of(NOTE01), java.util.Map.of(), tmp.resolve("out"), "local[1]",
                            java.util.Map.of(), false, 0),
                    new ServerRunner.Server(new ZeppelinClient(z.uri(), java.time.Duration.ofSeconds(10)), null, null,
                            null, java.time.Duration.ofSeconds(10), false, 5),
                    new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8));
            Thread run = new Thread(runner::run, "kit-run-test");
            run.setDaemon(true);
            run.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (z.requests().stream().noneMatch(r -> r.method().equals("POST")
                    && r.path().endsWith("/paragraph_01_03"))) {
                assertTrue(System.nanoTime() < deadline, "paragraph_01_03 never started: " + console);
                Thread.sleep(10);
            }
            runner.abandon();
            assertEquals(java.util.Set.of("paragraph_01_03"), z.cancelled());
            assertEquals(java.util.Set.of(NOTE_ID), z.deleted());
            run.join(30_000);
            assertFalse(run.isAlive(), "the run ends once its paragraph is cancelled");
            assertEquals(1, z.requests().stream().filter(r -> r.method().equals("DELETE")
                    && r.path().equals("/api/notebook/" + NOTE_ID)).count(), "the note is deleted once: " + console);
            // The run's thread then finds the note gone; the signal's own message has said what happened.
            String said = console.toString(java.nio.charset.StandardCharsets.UTF_8);
            // paragraph_01_03 is the fourth.
            assertFalse(said.contains("kit run:") || said.contains("[4/"), said);
        }
    }

    /**
     * The same in a JVM of its own, sent SIGTERM as a scheduler would: the report is written, the
     * note deleted once, and the console ends with the signal's message, not with the run thread's
     * 404 from the deleted note or an error from removing the shutdown hook during shutdown.
     */
    @Test
    void aSignalEndsAServerRunWithTheSignalsMessageOnly() throws Exception {
        try (FakeZeppelin z = new FakeZeppelin()) {
            z.endless = "paragraph_01_03";
            // While the signal's hook waits on the delete, the run's thread polls the note that is gone.
            z.deleteMillis = 3000;
            Path console = tmp.resolve("signal-console.txt");
            Process p = Project.kitRun(tmp, console, NOTE01.toString(), "--server", z.uri().toString(), "--out",
                    tmp.resolve("signal-out").toString());
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (z.requests().stream().noneMatch(r -> r.method().equals("POST")
                    && r.path().endsWith("/paragraph_01_03"))) {
                assertTrue(System.nanoTime() < deadline, "paragraph_01_03 never started: "
                        + java.nio.file.Files.readString(console));
                Thread.sleep(20);
            }
            p.destroy();
            assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the run ends");
            String said = java.nio.file.Files.readString(console);
            assertEquals(143, p.exitValue(), said);
            assertTrue(said.contains("kit run: stopped while running "), said);
            assertFalse(said.contains("answered 404") || said.contains("error:"), said);
            assertEquals(java.util.Set.of(NOTE_ID), z.deleted(), said);
            assertTrue(java.nio.file.Files.exists(tmp.resolve("signal-out").resolve("01-getting-started.html")), said);
        }
    }

    @Test
    void aServerThatDiesMidRunLeavesAReportAndSaysTheNoteMayRemain() throws Exception {
        try (FakeZeppelin z = new FakeZeppelin()) {
            z.dieAfter = 10;
            assertEquals(1, run(z), kit.console());
            String log = kit.console();
            assertTrue(log.contains("kit run: the run on the Zeppelin server at " + z.uri() + " stopped: ")
                    || log.contains("kit run: the Zeppelin server at " + z.uri() + " stopped answering"), log);
            assertTrue(log.contains("kit run: could not delete the imported note " + NOTE_ID + " from " + z.uri()), log);
            JsonObject executed = kit.executed("01-getting-started");
            long errors = executed.getAsJsonArray("paragraphs").asList().stream()
                    .filter(p -> p.getAsJsonObject().get("status").getAsString().equals("ERROR")).count();
            assertEquals(1, errors, "the paragraph running when the server died");
        }
    }

    @Test
    void aLoginIsRequiredAndItsPasswordComesFromTheEnvironment() throws Exception {
        String password = System.getenv("HOME");
        assumeTrue(password != null, "HOME stands in for a password variable");
        try (FakeZeppelin z = new FakeZeppelin()) {
            z.login = new String[] {"ana", password};
            assertEquals(1, run(z), kit.console());
            assertTrue(kit.console().contains("kit run: the Zeppelin server at " + z.uri() + " refused anonymous access"
                    + " (give --user): GET /api/interpreter/setting answered 401"), kit.console());
            kit.clearConsole();
            assertEquals(0, run(z, "--user", "ana", "--password-env", "HOME"), kit.console());
            assertFalse(String.join(" ", z.requests().stream().map(FakeZeppelin.Request::path).toList())
                    .contains(password), "the password is never in a URL");
            z.login = new String[] {"ana", "another"};
            kit.clearConsole();
            assertEquals(1, run(z, "--user", "ana", "--password-env", "HOME"), kit.console());
            assertTrue(kit.console().contains("refused user 'ana': POST /api/login answered 403"), kit.console());
        }
        assertEquals(2, kit.run(NOTE01.toString(), "--server", "http://127.0.0.1:1", "--user", "ana", "--password-env",
                "KIT_NO_SUCH_VARIABLE"));
        assertTrue(kit.console().contains("set the password in the environment variable KIT_NO_SUCH_VARIABLE"),
                kit.console());
    }

    @Test
    void serverOptionsAreChecked() {
        String note = NOTE01.toString();
        assertEquals(2, kit.run(note, "--spark-jars", JAR));
        assertTrue(kit.console().contains("--spark-jars, --user and --keep-note go with --server URL"), kit.console());
        assertEquals(2, kit.run(note, "--server", "zeppelin:8080"));
        assertTrue(kit.console().contains("give the Zeppelin server's address as http://host:port"), kit.console());
        assertEquals(2, kit.run(note, "--server", "http://127.0.0.1:1", "--master", "local[2]"));
        assertTrue(kit.console().contains("with --server the notes run with the server's Spark interpreter settings"),
                kit.console());
        assertEquals(2, kit.run(note, "--server", "http://127.0.0.1:1", "--spark-jars", "kit-all.jar"));
        assertTrue(kit.console().contains("give the jar's absolute path as the server sees it"), kit.console());
    }

    private static List<String> tables(JsonObject paragraph) {
        List<String> out = new ArrayList<>();
        if (paragraph.has("results")) {
            for (JsonElement m : NoteRun.msgs(paragraph)) {
                if (m.getAsJsonObject().get("type").getAsString().equals("TABLE")) {
                    out.add(m.getAsJsonObject().get("data").getAsString());
                }
            }
        }
        return out;
    }
}
