package io.propensitykit.cli;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Prints a progress line every few seconds while Spark has a stage running: the stage, its tasks
 * done out of total, rows read and written, time so far. Silent when nothing runs, so a quick job
 * prints nothing and a stuck one keeps saying where it stands.
 *
 * <pre>{@code
 * try (ProgressListener progress = ProgressListener.attach(spark.sparkContext(), "kit score", System.err, 5)) {
 *     ... run the job ...
 * }
 * }</pre>
 */
public final class ProgressListener extends SparkListener implements AutoCloseable {

    private final SparkContext sc;
    private final String label;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private final Map<Integer, Stage> running = new ConcurrentSkipListMap<>();
    private final AtomicLong rowsRead = new AtomicLong();
    private final AtomicLong rowsWritten = new AtomicLong();
    private final ScheduledExecutorService timer;

    private record Stage(int tasks, AtomicInteger done) {}

    private ProgressListener(SparkContext sc, String label, PrintStream out, double intervalSeconds) {
        this.sc = sc;
        this.label = label;
        this.out = out;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kit-progress");
            t.setDaemon(true);
            return t;
        });
        long millis = (long) (intervalSeconds * 1000);
        timer.scheduleAtFixedRate(this::report, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts reporting on this Spark application until {@link #close()}.
     *
     * @param sc the Spark context
     * @param label the line's prefix, e.g. {@code kit score}
     * @param out where lines go
     * @param intervalSeconds seconds between lines while a stage runs
     * @return the listener, registered with {@code sc}
     */
    public static ProgressListener attach(SparkContext sc, String label, PrintStream out, double intervalSeconds) {
        ProgressListener listener = new ProgressListener(sc, label, out, intervalSeconds);
        sc.addSparkListener(listener);
        return listener;
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted stage) {
        running.put(stage.stageInfo().stageId(),
                new Stage(stage.stageInfo().numTasks(), new AtomicInteger()));
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted stage) {
        running.remove(stage.stageInfo().stageId());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
        Stage stage = running.get(task.stageId());
        if (stage != null && task.taskInfo().successful()) {
            stage.done().incrementAndGet();
        }
        if (task.taskMetrics() != null) {
            rowsRead.addAndGet(task.taskMetrics().inputMetrics().recordsRead());
            rowsWritten.addAndGet(task.taskMetrics().outputMetrics().recordsWritten());
        }
    }

    private void report() {
        String line = line();
        if (line != null) {
            out.println(line);
        }
    }

    /** @return the progress line, or null when no stage is running */
    String line() {
        if (running.isEmpty()) {
            return null;
        }
        StringBuilder stages = new StringBuilder();
        running.forEach((id, s) -> stages.append(stages.length() == 0 ? "" : ", ").append("stage ").append(id)
                .append(' ').append(s.done().get()).append('/').append(s.tasks()).append(" tasks"));
        return String.format(Locale.ROOT, "%s: %s, %,d rows read, %,d written, %.0f s", label, stages, rowsRead.get(),
                rowsWritten.get(), seconds());
    }

    /** @return rows written by finished tasks */
    public long rowsWritten() {
        return rowsWritten.get();
    }

    /** @return seconds since the listener was attached */
    public double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Stops reporting and unregisters. */
    @Override
    public void close() {
        timer.shutdownNow();
        sc.removeSparkListener(this);
    }

    /**
     * Peak resident set size of this JVM (VmHWM from /proc), in MB; in local mode that covers the
     * driver and the executors.
     *
     * @return the peak in MB, or -1 where /proc is missing
     */
    public static long peakRssMb() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmHWM:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }
}
