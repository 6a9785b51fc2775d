package io.propensitykit.cli;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.sql.execution.SparkPlanInfo;
import org.apache.spark.sql.execution.metric.SQLMetricInfo;
import org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart;
import scala.Tuple4;
import scala.collection.JavaConverters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Rows read move while tasks run, not only when one finishes: for a SQL query the listener
 * follows the "number of output rows" metric of the plan's leaves (the scans, a range) in the
 * executors' heartbeats ({@code spark.executor.heartbeatInterval}, 10 s by default), as Spark's own
 * SQL tab does. Other jobs count the input records of finished tasks.
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
    /** Accumulator ids of the row counts of the leaves of the SQL plans seen. */
    private final Set<Long> leafRowMetrics = ConcurrentHashMap.newKeySet();
    /** Rows read so far by each running task, from its last heartbeat. */
    private final Map<Long, Long> runningRows = new ConcurrentHashMap<>();
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
    public void onOtherEvent(SparkListenerEvent event) {
        if (event instanceof SparkListenerSQLExecutionStart start) {
            trackLeaves(start.sparkPlanInfo());
        } else if (event instanceof SparkListenerSQLAdaptiveExecutionUpdate update) {
            trackLeaves(update.sparkPlanInfo());
        }
    }

    private void trackLeaves(SparkPlanInfo node) {
        if (node.children().isEmpty()) {
            for (SQLMetricInfo metric : JavaConverters.seqAsJavaList(node.metrics())) {
                if ("number of output rows".equals(metric.name())) {
                    leafRowMetrics.add(metric.accumulatorId());
                }
            }
        }
        JavaConverters.seqAsJavaList(node.children()).forEach(this::trackLeaves);
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart task) {
        runningRows.put(task.taskInfo().taskId(), 0L);
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task
                : JavaConverters.seqAsJavaList(update.accumUpdates())) {
            long rows = leafRows(task._4());
            // Only tasks still running: a heartbeat taken before a task ended may arrive after it.
            runningRows.computeIfPresent((Long) task._1(), (id, before) -> Math.max(before, rows));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
        runningRows.remove(task.taskInfo().taskId());
        Stage stage = running.get(task.stageId());
        boolean successful = task.taskInfo().successful();
        if (stage != null && successful) {
            stage.done().incrementAndGet();
        }
        if (successful && task.taskMetrics() != null) {
            long leaves = leafRows(task.taskInfo().accumulables());
            rowsRead.addAndGet(leaves > 0 ? leaves : task.taskMetrics().inputMetrics().recordsRead());
            rowsWritten.addAndGet(task.taskMetrics().outputMetrics().recordsWritten());
        }
    }

    /** @return the rows the plan's leaves have produced in one task, from its accumulator updates */
    private long leafRows(scala.collection.Seq<AccumulableInfo> updates) {
        long rows = 0;
        for (AccumulableInfo info : JavaConverters.seqAsJavaList(updates)) {
            if (leafRowMetrics.contains(info.id()) && info.update().isDefined()
                    && info.update().get() instanceof Long value) {
                rows += value;
            }
        }
        return rows;
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
        return String.format(Locale.ROOT, "%s: %s, %,d rows read, %,d written, %.0f s", label, stages, rowsRead(),
                rowsWritten.get(), seconds());
    }

    /** @return rows read by finished tasks, plus those running tasks reported in their last heartbeat */
    long rowsRead() {
        return rowsRead.get() + runningRows.values().stream().mapToLong(Long::longValue).sum();
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
