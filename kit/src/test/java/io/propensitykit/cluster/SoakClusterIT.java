package io.propensitykit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.cli.Cli;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.cli.ScoreJob;

import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The soak: 10,000,000 rows in 1,000 partitions scored on two one-core executors, each
 * executor's resident memory sampled every 2 s from {@code /proc}. After warm-up (the first quarter
 * of the scoring tasks) it must stay within 10% of its level, leaving out the one largest rise
 * between two samples: no predictor, NDManager or buffer left behind per task. A leak grows a little
 * with every task, so leaving out one rise hardly changes it; a single step that then stays flat (CI
 * once saw +77 MB at task 470 of 1,000, then nothing: the size of a glibc malloc arena made for a new
 * thread) is not a leak. Writes the samples and the curve to {@code target/soak/}.
 *
 * <p>{@code -Dsoak.rows} and {@code -Dsoak.partitions} change the size.
 */
class SoakClusterIT {

    private static final long ROWS = Long.getLong("soak.rows", 10_000_000);
    private static final int PARTITIONS = Integer.getInteger("soak.partitions", 1000);
    private static final double FLAT = 0.10;

    /** One sample: seconds since the job started, scoring tasks done, RSS in MB per executor pid. */
    private record Sample(double seconds, int tasksDone, Map<Long, Double> rssMb) {}

    @Test
    void executorMemoryStaysFlatOverAThousandTasks(@TempDir Path tmp) throws Exception {
        Path input = tmp.resolve("customers.parquet");
        List<Sample> samples = new ArrayList<>();
        try (StandaloneCluster cluster = StandaloneCluster.start(2, 1, "2g")) {
            SparkSession spark = SparkSession.builder().config(new SparkConf().setMaster(cluster.masterUrl())
                    .setAppName("kit-soak").set("spark.jars", StandaloneCluster.allJar())
                    .set("spark.driver.host", "127.0.0.1").set("spark.ui.enabled", "false")
                    .set("spark.executor.memory", "1g")
                    // One input split per generated file: PARTITIONS scoring tasks.
                    .set("spark.sql.files.maxPartitionBytes", "1m")
                    .set("spark.sql.files.openCostInBytes", "1m")).getOrCreate();
            try {
                RetailGenerator.builder().optRows(ROWS).optSeed(1).optPartitions(PARTITIONS).build().generate(spark)
                        .write().parquet(input.toString());
                AtomicInteger tasksDone = new AtomicInteger();
                spark.sparkContext().addSparkListener(new SparkListener() {
                    @Override
                    public void onTaskEnd(SparkListenerTaskEnd end) {
                        tasksDone.incrementAndGet();
                    }
                });
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> Cli.execute(new ScoreJob(),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8), "--model", "classpath:models/retail_mlp.pt",
                        "--input", input.toString(), "--output", tmp.resolve("scored.parquet").toString(),
                        "--id", "customer_id"));
                long start = System.nanoTime();
                while (!job.isDone()) {
                    Map<Long, Double> rss = new LinkedHashMap<>();
                    for (ProcessHandle executor : cluster.executors()) {
                        rss.put(executor.pid(), rssMb(executor.pid()));
                    }
                    samples.add(new Sample((System.nanoTime() - start) / 1e9, tasksDone.get(), rss));
                    Thread.sleep(2000);
                }
                assertEquals(0, job.get(), err.toString(StandardCharsets.UTF_8));
                assertEquals(ROWS, spark.read().parquet(tmp.resolve("scored.parquet").toString()).count());
                assertTrue(tasksDone.get() >= PARTITIONS, "scoring tasks: " + tasksDone.get());
            } finally {
                spark.stop();
                SparkSession.clearActiveSession();
                SparkSession.clearDefaultSession();
            }
        }
        Path report = Files.createDirectories(StandaloneCluster.kitHome().resolve("target/soak"));
        write(samples, report);
        for (long pid : samples.get(samples.size() - 1).rssMb().keySet()) {
            double lo = Double.MAX_VALUE;
            double hi = 0;
            double step = 0;
            double previous = Double.NaN;
            for (Sample s : samples) {
                Double mb = s.rssMb().get(pid);
                if (mb != null && !mb.isNaN() && s.tasksDone() >= PARTITIONS / 4) {
                    lo = Math.min(lo, mb);
                    hi = Math.max(hi, mb);
                    step = Double.isNaN(previous) ? step : Math.max(step, mb - previous);
                    previous = mb;
                }
            }
            assertTrue(hi > 0, "no sample of executor " + pid + " after warm-up: the job was too short to judge");
            System.out.printf(Locale.ROOT, "soak: executor pid %d after warm-up: %.0f to %.0f MB (%+.1f%%), largest"
                    + " single rise %.0f MB%n", pid, lo, hi, 100 * (hi / lo - 1), step);
            assertTrue(hi - step <= lo * (1 + FLAT), String.format(Locale.ROOT, "executor %d grew from %.0f MB to %.0f"
                    + " MB after warm-up, %.0f MB of it besides its largest single rise; samples in %s", pid, lo, hi,
                    hi - step - lo, report));
        }
    }

    private static double rssMb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            // The executor exited between listing and reading.
        }
        return Double.NaN;
    }

    private static void write(List<Sample> samples, Path dir) throws IOException {
        StringBuilder csv = new StringBuilder("seconds,tasks_done,executor_pid,rss_mb\n");
        Map<Long, List<double[]>> curves = new LinkedHashMap<>();
        for (Sample s : samples) {
            s.rssMb().forEach((pid, mb) -> {
                csv.append(String.format(Locale.ROOT, "%.1f,%d,%d,%.1f%n", s.seconds(), s.tasksDone(), pid, mb));
                curves.computeIfAbsent(pid, p -> new ArrayList<>()).add(new double[] {s.seconds(), mb});
            });
        }
        Files.writeString(dir.resolve("rss.csv"), csv);
        XYChart chart = new XYChartBuilder().width(640).height(320)
                .title(String.format(Locale.ROOT, "Executor RSS while scoring %,d rows in %,d partitions", ROWS, PARTITIONS))
                .xAxisTitle("seconds").yAxisTitle("RSS (MB)").build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setYAxisMin(0.0);
        int n = 1;
        for (List<double[]> curve : curves.values()) {
            chart.addSeries("executor " + n++, curve.stream().mapToDouble(p -> p[0]).toArray(),
                    curve.stream().mapToDouble(p -> p[1]).toArray());
        }
        samples.stream().filter(s -> s.tasksDone() >= PARTITIONS / 4).findFirst().ifPresent(warm -> {
            double top = samples.stream().flatMap(s -> s.rssMb().values().stream()).filter(v -> !v.isNaN())
                    .mapToDouble(Double::doubleValue).max().orElse(0);
            XYSeries line = chart.addSeries("warm-up ends (" + PARTITIONS / 4 + " tasks)",
                    new double[] {warm.seconds(), warm.seconds()}, new double[] {0, top});
            line.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        });
        VectorGraphicsEncoder.saveVectorGraphic(chart, dir.resolve("rss").toString(),
                VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
    }
}
