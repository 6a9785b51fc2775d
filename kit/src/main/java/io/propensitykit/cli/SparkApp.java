package io.propensitykit.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;

/**
 * The Spark session a command runs in: the one already running in this JVM (a notebook's, a test's,
 * {@code spark-submit}'s), else a new one. Closing stops only a session this command started.
 *
 * @param spark the session
 * @param owned whether this command started it
 */
public record SparkApp(SparkSession spark, boolean owned) implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SparkApp.class);

    /**
     * Finds or starts the session.
     *
     * @param appName the application name, for a new session
     * @param master the master URL, or null for spark-submit's or {@code local[*]}
     * @return the session and whether it is this command's own
     */
    public static SparkApp start(String appName, String master) {
        // The thread's session, else the JVM's default one (a command run from another thread).
        for (var session : List.of(SparkSession.getActiveSession(), SparkSession.getDefaultSession())) {
            if (session.isDefined() && !session.get().sparkContext().isStopped()) {
                return new SparkApp(session.get(), false);
            }
        }
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null) {
            conf.setMaster(master);
        } else {
            conf.setIfMissing("spark.master", "local[*]");
        }
        // Running tasks report their rows in heartbeats; every 3 s (not 10) keeps the progress line moving.
        conf.setIfMissing("spark.executor.heartbeatInterval", "3s");
        uiOffByDefault(conf);
        requireReachableMaster(conf.get("spark.master"));
        shipKit(conf);
        return new SparkApp(SparkSession.builder().config(conf).getOrCreate(), true);
    }

    /**
     * A command's Spark UI is off unless asked for ({@code spark.ui.enabled=true} as a system property,
     * a spark-submit {@code --conf}, or {@code kit run --conf}): Spark serves it on every interface,
     * where anyone on the network could read the environment page or kill jobs. The progress line
     * says what the UI would.
     *
     * @param conf the application's configuration
     */
    public static void uiOffByDefault(SparkConf conf) {
        conf.setIfMissing("spark.ui.enabled", "false");
    }

    /**
     * A standalone master that nothing answers at fails in seconds, in one line: Spark itself retries
     * its registration for over a minute and then reports a stopped SparkContext.
     *
     * @param master the master URL; only {@code spark://host:port[,host:port]} is checked
     * @throws IllegalArgumentException when no listed master accepts a connection within 5 s
     */
    public static void requireReachableMaster(String master) {
        if (master == null || !master.startsWith("spark://")) {
            return;
        }
        String why = "";
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            try (java.net.Socket socket = new java.net.Socket()) {
                int port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
                socket.connect(new java.net.InetSocketAddress(colon < 0 ? hostPort : hostPort.substring(0, colon),
                        port), 5_000);
                return;
            } catch (IOException | IllegalArgumentException e) {
                why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
        }
        throw new IllegalArgumentException("No Spark master answers at " + master + " (" + why + "). Start one"
                + " (kit/bin/kit cluster start prints its URL) or check --master.");
    }

    /** The system property, set by {@code kit/bin/kit}, that names the kit's self-contained jar. */
    public static final String ALL_JAR_PROPERTY = "kit.all.jar";

    /**
     * Ships the kit to executors in JVMs of their own: adds the kit's {@code -all} jar (named by
     * {@value #ALL_JAR_PROPERTY}) to {@code spark.jars} when the master is not local. In local
     * mode the executors share the driver's class path and need nothing.
     *
     * @param conf the application's configuration, master set
     */
    public static void shipKit(SparkConf conf) {
        ship(conf, System.getProperty(ALL_JAR_PROPERTY));
    }

    /**
     * Adds a jar to {@code spark.jars} when the master is not local, once, so that executors in JVMs
     * of their own load its classes. Local executors share the driver's class path and need nothing.
     *
     * @param conf the application's configuration, master set
     * @param jar the jar's path, or null or blank for none
     */
    public static void ship(SparkConf conf, String jar) {
        String master = conf.get("spark.master", "local[*]");
        if (jar == null || jar.isBlank() || master.startsWith("local")) {
            return;
        }
        String jars = conf.get("spark.jars", "");
        if (!java.util.Arrays.asList(jars.split(",")).contains(jar)) {
            conf.set("spark.jars", jars.isBlank() ? jar : jars + "," + jar);
        }
    }

    /**
     * Saves to an output that {@link OutputPaths#check} passed. When the job fails, the output is
     * removed if this job created it, so that a rerun is not blocked by a half-written directory.
     *
     * @param writer the configured writer (mode, format, options)
     * @param target the checked output
     */
    public void save(DataFrameWriter<?> writer, OutputPaths.Target target) {
        boolean saved = false;
        try (SaveTasks tasks = SaveTasks.follow(spark.sparkContext())) {
            try {
                writer.save(target.location());
                saved = true;
            } finally {
                // Spark's job failures are checked exceptions thrown unchecked: a finally sees them all.
                if (!saved) {
                    awaitEnded(tasks);
                    target.removeIfCreated();
                }
            }
        }
    }

    /** Waits for the failed save's killed tasks, which may still create the output's directories. */
    private static void awaitEnded(SaveTasks tasks) {
        try {
            if (!tasks.awaitEnded(1_000, 60_000)) {
                LOG.warn("Tasks of the failed save were still running after 60 s; removing its output anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (owned) {
            spark.stop();
        }
    }
}
