package io.propensitykit.cli;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import scala.collection.JavaConverters;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Follows the tasks of the jobs one save starts, so that a failed save can wait until every one of
 * them has ended before it removes the output. After a failed job Spark kills the job's other tasks
 * without waiting for them, and a task that is still writing creates the output's directories again.
 * Spark's status tracker cannot tell when they are done: its executor view is refreshed at most every
 * {@code spark.ui.liveUpdate.period}. The listener bus can: it delivers a job's task starts before
 * the job's end, and a killed task's end only once its thread has stopped.
 *
 * <p>The save's jobs are told apart by a local property set on the calling thread for the save.
 */
final class SaveTasks extends SparkListener implements AutoCloseable {

    private static final String PROPERTY = "propensitykit.save";

    private final SparkContext sc;
    private final String id = UUID.randomUUID().toString();
    private final String previous;
    private final Set<Integer> jobsRunning = new HashSet<>();
    private final Set<Integer> stages = new HashSet<>();
    private boolean jobSeen;
    private int tasksRunning;

    private SaveTasks(SparkContext sc) {
        this.sc = sc;
        this.previous = sc.getLocalProperty(PROPERTY);
    }

    /** Starts following the jobs that the calling thread submits until {@link #close()}. */
    static SaveTasks follow(SparkContext sc) {
        SaveTasks tasks = new SaveTasks(sc);
        sc.addSparkListener(tasks);
        sc.setLocalProperty(PROPERTY, tasks.id);
        return tasks;
    }

    @Override
    public synchronized void onJobStart(SparkListenerJobStart start) {
        if (start.properties() != null && id.equals(start.properties().getProperty(PROPERTY))) {
            jobSeen = true;
            notifyAll();
            jobsRunning.add(start.jobId());
            for (Object stage : JavaConverters.seqAsJavaList(start.stageIds())) {
                stages.add((Integer) stage);
            }
        }
    }

    @Override
    public synchronized void onTaskStart(SparkListenerTaskStart start) {
        if (stages.contains(start.stageId())) {
            tasksRunning++;
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        if (stages.contains(end.stageId())) {
            tasksRunning--;
            notifyAll();
        }
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd end) {
        if (jobsRunning.remove(end.jobId())) {
            notifyAll();
        }
    }

    /**
     * Waits until every job of the save has ended and every task it started has ended too. A save
     * that failed before it started a job (a plan that does not analyse) has nothing to wait for; as
     * the bus may not have delivered a job's start yet when the save fails, that is assumed only after
     * {@code graceMillis} without one.
     *
     * @param graceMillis how long to wait for a first job of the save
     * @param timeoutMillis how long to wait at most
     * @return whether all ended in time
     */
    synchronized boolean awaitEnded(long graceMillis, long timeoutMillis) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeoutMillis * 1_000_000L;
        while (!jobSeen && System.nanoTime() - start < graceMillis * 1_000_000L) {
            wait(Math.max(1, graceMillis - (System.nanoTime() - start) / 1_000_000L));
        }
        while (!jobsRunning.isEmpty() || tasksRunning > 0) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    @Override
    public void close() {
        sc.setLocalProperty(PROPERTY, previous);
        sc.removeSparkListener(this);
    }
}
