package io.propensitykit.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.cli.Cli;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.monitor.Drift;
import io.propensitykit.monitor.DriftReport;
import io.propensitykit.monitor.FeatureDrift;
import io.propensitykit.spark.Propensity;
import io.propensitykit.spark.PropensityScorer;
import io.propensitykit.cli.ScoreJob;

import org.apache.spark.SparkConf;
import org.apache.spark.TaskEndReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kit on a real standalone cluster: two workers with one core each, executors in JVMs of
 * their own that get the kit only through {@code spark.jars}. Reference scores come from a
 * {@code local[2]} run of the same data in this JVM before the cluster session starts.
 */
class ScoringOnClusterIT {

    private static final String MODEL = "classpath:models/retail_mlp.pt";
    private static final double TOL = 1e-6;
    private static final long ROWS = 200_000;
    private static final RetailGenerator DATA = RetailGenerator.builder().optRows(ROWS).optSeed(11).optPartitions(8)
            .build();

    @TempDir
    static Path tmp;

    // Two weeks of at most 100,000 rows, so that the drift's quantile edges are exact on both sides
    // (above, Spark's sketch depends on the order partitions merge in).
    private static final RetailGenerator WEEK = RetailGenerator.builder().optRows(60_000).optSeed(21)
            .optPartitions(6).build();
    private static final RetailGenerator NEXT_WEEK = RetailGenerator.builder().optRows(50_000).optSeed(22)
            .optPartitions(5).build();

    private static StandaloneCluster cluster;
    private static Map<Long, Double> local;
    private static DriftReport localDrift;
    private SparkSession spark;

    @BeforeAll
    static void localScoresThenCluster() throws Exception {
        SparkSession localSpark = SparkSession.builder().master("local[2]").appName("kit-cluster-it-local")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        try {
            PropensityModel model = Propensity.load(localSpark, MODEL);
            local = scores(Propensity.score(DATA.generate(localSpark), model), "propensity");
            localDrift = drift(localSpark);
        } finally {
            localSpark.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
        cluster = StandaloneCluster.start(2, 1, "1g");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
            assertEquals(0, cluster.processesLeft(), "kit cluster stop left processes behind");
        }
    }

    @AfterEach
    void stopSession() {
        if (spark != null) {
            spark.stop();
        }
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    private SparkSession clusterSession(String... extra) {
        SparkConf conf = new SparkConf().setMaster(cluster.masterUrl()).setAppName("kit-cluster-it")
                .set("spark.jars", StandaloneCluster.allJar())
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.executor.memory", "768m");
        for (int i = 0; i < extra.length; i += 2) {
            conf.set(extra[i], extra[i + 1]);
        }
        spark = SparkSession.builder().config(conf).getOrCreate();
        return spark;
    }

    private static Map<Long, Double> scores(Dataset<Row> scored, String col) {
        Map<Long, Double> byId = new HashMap<>();
        for (Row r : scored.select("customer_id", col).collectAsList()) {
            byId.put(r.getLong(0), r.getDouble(1));
        }
        return byId;
    }

    private static void assertLocalScores(Map<Long, Double> actual, String path) {
        assertEquals(ROWS, actual.size(), path + ": rows");
        for (Map.Entry<Long, Double> e : local.entrySet()) {
            Double p = actual.get(e.getKey());
            assertTrue(p != null && Math.abs(p - e.getValue()) <= TOL,
                    path + ": customer " + e.getKey() + " scored " + p + " on the cluster, " + e.getValue() + " locally");
        }
    }

    @Test
    void executorsScoreAsLocalModeDoesOnEveryPath() {
        SparkSession s = clusterSession();
        PropensityModel model = Propensity.load(s, MODEL);
        Dataset<Row> customers = DATA.generate(s).cache();
        assertLocalScores(scores(Propensity.score(customers, model), "propensity"), "batched");
        Propensity.register(s, "retail", model);
        Column[] features = model.features().stream().map(functions::col).toArray(Column[]::new);
        assertLocalScores(scores(customers.withColumn("p", functions.callUDF("retail", features)), "p"), "SQL function");
        PropensityScorer transformer = new PropensityScorer().setModelPath(MODEL).setOutputCol("p");
        assertLocalScores(scores(transformer.transform(customers), "p"), "Transformer");
        // The work ran on both executors, not in the driver.
        assertEquals(2, s.sparkContext().statusTracker().getExecutorInfos().length - 1, "executors besides the driver");
    }

    private static DriftReport drift(SparkSession s) {
        PropensityModel model = Propensity.load(s, MODEL);
        return Drift.forModel(model.metadata(), Propensity.score(WEEK.generate(s), model),
                Propensity.score(NEXT_WEEK.generate(s), model)).setScore("propensity").compute();
    }

    @Test
    void driftOnExecutorsMatchesLocalMode() {
        // Each executor fills its partitions' bins and ships them back serialized: the kit's
        // aggregation buffer has to travel between JVMs and merge to what one JVM computes.
        DriftReport onCluster = drift(clusterSession());
        assertEquals(localDrift.baselineRows(), onCluster.baselineRows());
        assertEquals(localDrift.currentRows(), onCluster.currentRows());
        assertEquals(localDrift.features().stream().map(FeatureDrift::feature).toList(),
                onCluster.features().stream().map(FeatureDrift::feature).toList(), "columns ranked by PSI");
        for (FeatureDrift expected : localDrift.features()) {
            FeatureDrift actual = onCluster.feature(expected.feature());
            String name = expected.feature();
            assertEquals(expected.psi(), actual.psi(), 1e-9, name + " PSI");
            assertEquals(expected.ks().orElse(-1), actual.ks().orElse(-1), 1e-9, name + " KS");
            assertEquals(expected.bins(), actual.bins(), name + " bins");
            assertArrayEquals(expected.baselineShares(), actual.baselineShares(), 1e-12, name + " baseline shares");
            assertArrayEquals(expected.currentShares(), actual.currentShares(), 1e-12, name + " current shares");
            assertEquals(expected.baseline().nulls(), actual.baseline().nulls(), name + " baseline nulls");
            assertEquals(expected.current().nulls(), actual.current().nulls(), name + " current nulls");
            assertEquals(expected.unseenLevels(), actual.unseenLevels(), name + " unseen levels");
            expected.current().numbers().ifPresent(n -> {
                assertEquals(n.mean(), actual.current().numbers().orElseThrow().mean(), 1e-9 * (1 + Math.abs(n.mean())),
                        name + " mean");
                assertEquals(n.median(), actual.current().numbers().orElseThrow().median(), 1e-9 * (1
                        + Math.abs(n.median())), name + " median");
            });
        }
        assertEquals(2, spark.sparkContext().statusTracker().getExecutorInfos().length - 1,
                "executors besides the driver");
    }

    @Test
    void aKilledExecutorLosesNoRowAndChangesNoScore() throws Exception {
        // Small input splits: dozens of tasks, so that the kill lands with work done and work to do.
        SparkSession s = clusterSession("spark.sql.files.maxPartitionBytes", "2m");
        Path input = tmp.resolve("customers.parquet");
        RetailGenerator.builder().optRows(2_000_000).optSeed(5).optPartitions(24).build().generate(s)
                .write().parquet(input.toString());
        String[] score = {"--model", MODEL, "--input", input.toString(), "--id", "customer_id", "--output"};
        assertEquals(0, runScore(join(score, tmp.resolve("undisturbed.parquet").toString()), new ByteArrayOutputStream()));

        AtomicInteger lostTasks = new AtomicInteger();
        s.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                TaskEndReason reason = end.reason();
                if (!(reason instanceof org.apache.spark.Success$)) {
                    lostTasks.incrementAndGet();
                }
            }
        });
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(
                () -> runScore(join(score, tmp.resolve("disturbed.parquet").toString()), err));
        ProcessHandle victim = awaitRunningTasksThenPickAnExecutor(s);
        assertTrue(victim.destroyForcibly(), "SIGKILL to executor " + victim.pid());
        assertEquals(0, run.get(5, TimeUnit.MINUTES), err.toString(StandardCharsets.UTF_8));
        assertTrue(lostTasks.get() > 0, "the executor was killed after the job ended; no task was lost");

        List<Row> before = sorted(s, "undisturbed.parquet");
        List<Row> after = sorted(s, "disturbed.parquet");
        assertEquals(2_000_000, after.size());
        assertEquals(before, after, "rows, ids and scores after the kill");
        assertTrue(Files.exists(tmp.resolve("disturbed.parquet/_SUCCESS")));
    }

    @Test
    void aDriverKilledMidWriteLeavesNoSuccessAndARerunNeverAppends() throws Exception {
        // This JVM stays in local mode, so that the driver below gets the cluster's every core.
        SparkSession s = spark = SparkSession.builder().master("local[2]").appName("kit-cluster-it-local")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        Path input = tmp.resolve("driver-kill-input.parquet");
        RetailGenerator.builder().optRows(2_000_000).optSeed(7).optPartitions(24).build().generate(s)
                .write().parquet(input.toString());
        long rows = s.read().parquet(input.toString()).count();
        Path output = tmp.resolve("driver-killed.parquet");
        String[] score = {"--model", MODEL, "--input", input.toString(), "--id", "customer_id", "--output",
            output.toString(), "--master", cluster.masterUrl()};

        // A driver of its own, as kit/bin/kit starts it, killed once some tasks have committed their files.
        Process driver = driverProcess(score).start();
        awaitCommittedTaskFiles(output, driver);
        assertTrue(driver.toHandle().destroyForcibly(), "SIGKILL to the driver " + driver.pid());
        driver.waitFor(1, TimeUnit.MINUTES);
        assertTrue(Files.isDirectory(output), "the killed job wrote nothing");
        assertFalse(Files.exists(output.resolve("_SUCCESS")), "a killed job's output looks complete");
        awaitNoExecutors();

        ByteArrayOutputStream refused = new ByteArrayOutputStream();
        assertEquals(Cli.FAILED, runScore(java.util.Arrays.copyOf(score, score.length - 2), refused));
        String text = refused.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(output + " already exists and holds no complete result (no _SUCCESS: an earlier run"
                + " stopped)"), text);

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, runScore(join(java.util.Arrays.copyOf(score, score.length - 2), "--overwrite"), err),
                err.toString(StandardCharsets.UTF_8));
        assertTrue(Files.exists(output.resolve("_SUCCESS")));
        Dataset<Row> scored = s.read().parquet(output.toString());
        assertEquals(rows, scored.count(), "rows after the rerun: the partial output was replaced, not appended to");
        assertEquals(rows, scored.select("customer_id").distinct().count(), "distinct ids after the rerun");
    }

    /** The kit's score command in a JVM of its own, with this test's class path and the launcher's JVM flags. */
    private static ProcessBuilder driverProcess(String[] args) throws java.io.IOException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(Files.readString(StandaloneCluster.kitHome().resolve("target/jvm.options")).strip()
                .split("\\s+")));
        command.addAll(List.of("-Xmx1g", "-D" + StandaloneCluster.ALL_JAR + "=" + StandaloneCluster.allJar(),
                "-Dspark.sql.files.maxPartitionBytes=2m", "-Dspark.executor.memory=768m",
                "-Dspark.driver.host=127.0.0.1", "-Dspark.ui.enabled=false",
                "-cp", System.getProperty("java.class.path"), ScoreJob.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("killed-driver.log").toFile());
    }

    /** Waits until a task has committed its part file under the output's {@code _temporary} directory. */
    private static void awaitCommittedTaskFiles(Path output, Process driver) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline && driver.isAlive()) {
            if (Files.isDirectory(output.resolve("_temporary"))) {
                try (var files = Files.walk(output.resolve("_temporary"))) {
                    if (files.anyMatch(f -> f.getFileName().toString().startsWith("part-")
                            && f.getParent().getFileName().toString().startsWith("task_"))) {
                        return;
                    }
                } catch (java.io.UncheckedIOException moved) {
                    // a task committed while we looked: look again
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no task committed before the driver " + (driver.isAlive() ? "timed out" : "ended")
                + ":\n" + Files.readString(tmp.resolve("killed-driver.log")));
    }

    /** Once its driver is gone, the Master removes the application and the workers stop its executors. */
    private void awaitNoExecutors() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!cluster.executors().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the killed driver's executors are still running");
            Thread.sleep(200);
        }
    }

    @Test
    void aModelThatCannotLoadOnTheExecutorsFailsInOneLine() {
        // DJL's cache is unusable on the executors only: the driver loads the model, executors cannot.
        clusterSession("spark.executor.extraJavaOptions", "-DENGINE_CACHE_DIR=/dev/null/djl",
                "spark.task.maxFailures", "2");
        Path input = tmp.resolve("small.parquet");
        DATA.generate(spark).limit(1000).write().parquet(input.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = runScore(new String[] {"--model", MODEL, "--input", input.toString(), "--output",
            tmp.resolve("never.parquet").toString()}, err);
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(Cli.FAILED, status, text);
        assertEquals(1, text.lines().filter(l -> !l.startsWith("kit score: stage")).count(), text);
        assertTrue(text.contains("kit score: error: The PyTorch engine did not start on this machine"), text);
        assertTrue(text.contains("/dev/null/djl") && text.contains("[on executor "), text);
        assertFalse(Files.exists(tmp.resolve("never.parquet")), "a failed job left its output behind");
    }

    private static int runScore(String[] args, ByteArrayOutputStream err) {
        return Cli.execute(new ScoreJob(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    private static String[] join(String[] head, String last) {
        String[] all = java.util.Arrays.copyOf(head, head.length + 1);
        all[head.length] = last;
        return all;
    }

    /** Waits until the scoring stage has finished a few tasks and still has some to run, then picks a victim. */
    private ProcessHandle awaitRunningTasksThenPickAnExecutor(SparkSession s) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            for (int id : s.sparkContext().statusTracker().getActiveStageIds()) {
                var stage = s.sparkContext().statusTracker().getStageInfo(id);
                if (stage.isDefined() && stage.get().numCompletedTasks() >= 2
                        && stage.get().numCompletedTasks() + stage.get().numActiveTasks() < stage.get().numTasks() - 4) {
                    List<ProcessHandle> executors = cluster.executors(s.sparkContext().applicationId());
                    assertEquals(2, executors.size(), "this application's executor JVMs under the workers");
                    return executors.get(0);
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the scoring stage never ran");
    }

    private static List<Row> sorted(SparkSession s, String name) {
        return s.read().parquet(tmp.resolve(name).toString()).orderBy("customer_id").collectAsList();
    }
}
