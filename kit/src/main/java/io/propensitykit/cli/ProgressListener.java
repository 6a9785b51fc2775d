package io.propensitykit.spark;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Prints one progress line every few seconds while Spark works: tasks done, rows read and written.
 * Registered by the command-line jobs; notebooks have Spark's own progress bar.
 */
final class ProgressListener extends SparkListener {

    private final String label;
    private final PrintStream out;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private final AtomicInteger tasksTotal = new AtomicInteger();
    private final AtomicInteger tasksDone = new AtomicInteger();
    private final AtomicLong rowsRead = new AtomicLong();
    private final AtomicLong rowsWritten = new AtomicLong();
    private volatile long lastPrint = System.nanoTime();

    ProgressListener(String label, PrintStream out, double intervalSeconds) {
        this.label = label;
        this.out = out;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
    }

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted stage) {
        tasksTotal.addAndGet(stage.stageInfo().numTasks());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd task) {
        tasksDone.incrementAndGet();
        if (task.taskMetrics() != null) {
            rowsRead.addAndGet(task.taskMetrics().inputMetrics().recordsRead());
            rowsWritten.addAndGet(task.taskMetrics().outputMetrics().recordsWritten());
        }
        long now = System.nanoTime();
        if (now - lastPrint >= intervalNanos) {
            lastPrint = now;
            out.println(line());
        }
    }

    /** @return rows written by finished tasks */
    long rowsWritten() {
        return rowsWritten.get();
    }

    /** @return seconds since the listener was created */
    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Peak resident set size of this JVM (VmHWM from /proc), in MB; in local mode that covers the
     * driver and the executors.
     *
     * @return the peak in MB, or -1 where /proc is missing
     */
    static long peakRssMb() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmHWM:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }

    String line() {
        return String.format("%s: %d/%d tasks, %,d rows read, %,d written, %.1f s", label, tasksDone.get(),
                tasksTotal.get(), rowsRead.get(), rowsWritten.get(), seconds());
    }
}
