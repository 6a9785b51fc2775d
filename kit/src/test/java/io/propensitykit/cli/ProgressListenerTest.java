package io.propensitykit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The progress line counts the rows of tasks that are still running, not only of finished ones. */
class ProgressListenerTest {

    private static final long ROWS = 40_000;
    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        // Heartbeats every half second (10 s by default) so that a 3-second task reports mid-way.
        spark = SparkSession.builder().master("local[2]").appName("progress-listener-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.executor.heartbeatInterval", "500ms").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    @Test
    void rowsReadMoveWhileTheTasksAreStillRunning() throws Exception {
        String input = tmp.resolve("ids.parquet").toString();
        spark.range(0, ROWS, 1, 2).write().parquet(input);
        // Each of the 2 tasks reads 20,000 rows and pauses 150 ms every 1,000: about 3 s per task.
        FilterFunction<Row> slow = row -> {
            if (row.getLong(0) % 1_000 == 0) {
                Thread.sleep(150);
            }
            return true;
        };
        List<String> lines = new ArrayList<>();
        long counted;
        try (ProgressListener progress = ProgressListener.attach(spark.sparkContext(), "test",
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), 3600)) {
            CompletableFuture<Long> job = CompletableFuture.supplyAsync(
                    () -> spark.read().parquet(input).filter(slow).count());
            while (!job.isDone()) {
                String line = progress.line();
                if (line != null) {
                    lines.add(line);
                }
                Thread.sleep(50);
            }
            counted = job.get();
            spark.sparkContext().listenerBus().waitUntilEmpty();
            assertEquals(ROWS, progress.rowsRead(), "rows read once every task has finished");
        }
        assertEquals(ROWS, counted);
        Pattern shape = Pattern.compile("test: stage \\d+ (\\d+)/(\\d+) tasks, ([\\d,]+) rows read, 0 written, \\d+ s");
        boolean midTask = false;
        for (String line : lines) {
            Matcher m = shape.matcher(line);
            assertTrue(m.matches(), line);
            long read = Long.parseLong(m.group(3).replace(",", ""));
            assertTrue(read <= ROWS, line);
            midTask |= m.group(1).equals("0") && m.group(2).equals("2") && read > 0;
        }
        assertFalse(lines.isEmpty(), "no progress line while the job ran");
        assertTrue(midTask, "no line counted rows before a task finished: " + lines);
    }
}
