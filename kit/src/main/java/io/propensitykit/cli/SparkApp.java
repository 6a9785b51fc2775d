package io.propensitykit.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session a command runs in: the one already active in this JVM (a notebook, a test,
 * {@code spark-submit}'s), else a new one. Closing stops only a session this command started.
 *
 * @param spark the session
 * @param owned whether this command started it
 */
public record SparkApp(SparkSession spark, boolean owned) implements AutoCloseable {

    /**
     * Finds or starts the session.
     *
     * @param appName the application name, for a new session
     * @param master the master URL, or null for spark-submit's or {@code local[*]}
     * @return the session and whether it is this command's own
     */
    public static SparkApp start(String appName, String master) {
        var active = SparkSession.getActiveSession();
        if (active.isDefined() && !active.get().sparkContext().isStopped()) {
            return new SparkApp(active.get(), false);
        }
        SparkSession.Builder builder = SparkSession.builder().appName(appName);
        if (master != null) {
            builder.master(master);
        } else if (!new SparkConf().contains("spark.master")) {
            builder.master("local[*]");
        }
        return new SparkApp(builder.getOrCreate(), true);
    }

    /**
     * Waits until no task runs on any executor, for at most {@code timeoutMillis}. After a failed
     * job Spark kills the job's other tasks asynchronously, and one may still write under the
     * output; cleaning up before they stop races with them.
     *
     * @param timeoutMillis the most to wait
     * @return whether the executors are idle
     */
    public boolean awaitIdle(long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (System.nanoTime() < deadline) {
            int running = 0;
            for (SparkExecutorInfo info : spark.sparkContext().statusTracker().getExecutorInfos()) {
                running += info.numRunningTasks();
            }
            if (running == 0 && spark.sparkContext().statusTracker().getActiveStageIds().length == 0) {
                return true;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (owned) {
            spark.stop();
        }
    }
}
