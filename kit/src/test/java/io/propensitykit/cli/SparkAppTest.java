package io.propensitykit.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/** What a failed save leaves behind: nothing it created, even when a killed task writes after the failure. */
class SparkAppTest {

    private static SparkApp app;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        // The status store refreshed rarely, as a busy application's may be: the save must not read it.
        SparkSession.builder().master("local[2]").appName("spark-app-test").config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1").config("spark.ui.liveUpdate.period", "30s").getOrCreate();
        app = SparkApp.start("spark-app-test", null);
    }

    @AfterAll
    static void stop() {
        app.spark().stop();
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    /** Partition 0 fails at once; partition 1 still writes a row after the job has failed, then is killed. */
    static final class FailOneStraggleOther implements MapPartitionsFunction<Long, Long> {
        @Override
        public Iterator<Long> call(Iterator<Long> ids) throws Exception {
            long id = TaskContext.getPartitionId();
            if (id == 0) {
                throw new IllegalStateException("planted failure in partition 0");
            }
            // Not interrupted by the job's cancellation (Spark does not interrupt task threads by default).
            Thread.sleep(1_500);
            return List.of(id, id + 10, id + 20).iterator();
        }
    }

    @Test
    void aFailedSaveRemovesWhatAStragglingTaskWroteAfterTheFailure() throws Exception {
        Path out = tmp.resolve("out");
        var data = app.spark().range(0, 2, 1, 2).as(Encoders.LONG())
                .mapPartitions(new FailOneStraggleOther(), Encoders.LONG());
        var target = OutputPaths.check(app.spark().sparkContext().hadoopConfiguration(), "--output", out.toString(),
                false);
        // A job that ends just before: Spark's status store then holds its "no task running" for up to
        // spark.ui.liveUpdate.period after the save's tasks start, the window in which a wait on the
        // status tracker ended early and the straggler recreated the output (seen in CI, BadInputTest).
        app.spark().range(1).count();
        long start = System.nanoTime();
        Exception e = assertThrows(Exception.class,
                () -> app.save(data.write().format("parquet"), target));
        long waitedMillis = (System.nanoTime() - start) / 1_000_000L;
        assertTrue(causes(e).contains("planted failure in partition 0"), causes(e));
        assertFalse(Files.exists(out), "nothing of the failed save is left at " + out);
        Thread.sleep(Math.max(0, 2_500 - waitedMillis)); // past the straggler's write, had it not been waited for
        assertFalse(Files.exists(out), "no task of the failed save wrote at " + out + " after it returned");
        assertTrue(waitedMillis >= 1_400, "the save waited for the straggler: " + waitedMillis + " ms");
    }

    private static String causes(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }

    @Test
    void aFailedSaveKeepsWhatWasThereBefore() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("kept"));
        Files.writeString(out.resolve("theirs.txt"), "keep me");
        var data = app.spark().range(0, 2, 1, 2).as(Encoders.LONG())
                .mapPartitions(new FailOneStraggleOther(), Encoders.LONG());
        var target = OutputPaths.check(app.spark().sparkContext().hadoopConfiguration(), "--output", out.toString(),
                true);
        assertThrows(Exception.class, () -> app.save(data.write().mode("append").format("parquet"), target));
        assertTrue(Files.exists(out.resolve("theirs.txt")), "what was there before the save stays");
    }

    @Test
    void aMasterThatNothingAnswersFailsInSeconds() throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        long before = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkApp.requireReachableMaster("spark://127.0.0.1:" + port));
        assertTrue(e.getMessage().startsWith("No Spark master answers at spark://127.0.0.1:" + port
                + " (ConnectException"), e.getMessage());
        assertTrue((System.nanoTime() - before) / 1e9 < 10, "seconds, not Spark's minute of retries");
        try (java.net.ServerSocket listening = new java.net.ServerSocket(0)) {
            // The control: a port that accepts passes, and so does a master that is not standalone.
            SparkApp.requireReachableMaster("spark://127.0.0.1:" + port + ",127.0.0.1:" + listening.getLocalPort());
            SparkApp.requireReachableMaster("local[2]");
        }
    }
}
