package io.propensitykit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.cluster.StandaloneCluster;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A note that generates, scores and aggregates, rerun on a standalone cluster of its own (two
 * workers, executors in JVMs of their own, the kit shipped as the -all jar): every paragraph
 * finishes, and every table equals the one the same note gives in local mode.
 */
class NoteOnClusterIT {

    private static final Path NOTE = Project.root().resolve("notebooks/05-distributions-targeting.zpln");

    @Test
    void theScoringNoteGivesTheSameTablesOnTheClusterAsLocally(@TempDir Path tmp) throws Exception {
        List<String> local = tables(run(tmp.resolve("local"), "local[2]"));
        List<String> onCluster;
        try (StandaloneCluster cluster = StandaloneCluster.start(2, 1, "1g")) {
            onCluster = tables(run(tmp.resolve("cluster"), cluster.masterUrl()));
        }
        assertFalse(local.isEmpty(), "the note shows tables");
        assertEquals(local, onCluster, "tables on the cluster and in local mode");
    }

    /** Runs the note in a JVM of its own, started outside the project; returns the executed note. */
    private static Path run(Path dir, String master) throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        Path console = dir.resolve("console.txt");
        Process run = Project.kitRun(cwd, console, NOTE.toString(), "-p", "rows=50000", "-p", "seed=3",
                "--out", dir.resolve("out").toString(), "--master", master,
                "--conf", "spark.executor.memory=768m");
        assertTrue(run.waitFor(10, TimeUnit.MINUTES), "kit run ends");
        assertEquals(0, run.exitValue(), Files.readString(console));
        return dir.resolve("out").resolve(NOTE.getFileName());
    }

    private static List<String> tables(Path executed) throws Exception {
        JsonObject note = JsonParser.parseString(Files.readString(executed)).getAsJsonObject();
        List<String> tables = new ArrayList<>();
        for (JsonElement p : note.getAsJsonArray("paragraphs")) {
            JsonObject results = p.getAsJsonObject().getAsJsonObject("results");
            assertEquals("SUCCESS", results.get("code").getAsString(), p.getAsJsonObject().get("title").getAsString());
            for (JsonElement m : results.getAsJsonArray("msg")) {
                if (m.getAsJsonObject().get("type").getAsString().equals("TABLE")) {
                    tables.add(m.getAsJsonObject().get("data").getAsString());
                }
            }
        }
        return tables;
    }
}
