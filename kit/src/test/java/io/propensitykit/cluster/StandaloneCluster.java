package io.propensitykit.cluster;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster of this test's own, started and stopped through {@code kit/bin/kit
 * cluster} with a state directory of its own: a Master and Workers on 127.0.0.1 whose executors run
 * in JVMs of their own and get the kit only through {@code spark.jars}. Only the processes named
 * by its pid files (and the executors their workers started) are touched.
 *
 * <p>Needs the packaged kit ({@code target/jvm.options} and the {@code -all} jar), so it serves the
 * {@code cluster} profile's integration tests, which run after {@code package}.
 */
public final class StandaloneCluster implements AutoCloseable {

    /** The system property naming the kit's {@code -all} jar, which the profile sets. */
    public static final String ALL_JAR = "kit.all.jar";

    private final Path stateDir;
    private final String masterUrl;
    /** The daemons' pids as started: {@code stop} removes the pid files once they are gone. */
    private final List<Long> daemons;

    private StandaloneCluster(Path stateDir, String masterUrl) throws IOException {
        this.stateDir = stateDir;
        this.masterUrl = masterUrl;
        this.daemons = pids("");
    }

    /**
     * Starts a cluster and waits until its workers have registered.
     *
     * @param workers how many workers
     * @param cores cores per worker
     * @param memory memory per worker, such as {@code 1g}
     * @return the running cluster
     */
    public static StandaloneCluster start(int workers, int cores, String memory) throws IOException, InterruptedException {
        Path state = Files.createTempDirectory("kit-cluster-");
        Path log = state.resolveSibling(state.getFileName() + ".start.log");
        Process p = script(state, "start", "--workers", String.valueOf(workers), "--cores", String.valueOf(cores),
                "--memory", memory).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(240, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            new StandaloneCluster(state, null).close();
            throw new IllegalStateException("kit cluster start failed:\n" + Files.readString(log));
        }
        List<String> lines = Files.readAllLines(log);
        String url = lines.get(lines.size() - 1).strip();
        if (!url.startsWith("spark://127.0.0.1:")) {
            throw new IllegalStateException("kit cluster start did not end with the master URL:\n" + String.join("\n", lines));
        }
        return new StandaloneCluster(state, url);
    }

    /** @return {@code spark://127.0.0.1:PORT} */
    public String masterUrl() {
        return masterUrl;
    }

    /** @return the kit's {@code -all} jar, which drivers ship to executors */
    public static String allJar() {
        String jar = System.getProperty(ALL_JAR);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("-D" + ALL_JAR + " must name the packaged kit-*-all.jar (got " + jar
                    + "); run the cluster tests with mvn -Pcluster verify");
        }
        return jar;
    }

    /**
     * The executor JVMs running now: children of the workers whose main class is Spark's executor
     * backend.
     *
     * @return their process handles
     */
    public List<ProcessHandle> executors() throws IOException {
        return executors("");
    }

    /**
     * The executor JVMs of one application: an application stopped a moment ago may still have
     * executors exiting under the workers.
     *
     * @param appId the application's id ({@code sparkContext().applicationId()})
     * @return its executor processes
     * @throws IOException if the pid files cannot be read
     */
    public List<ProcessHandle> executors(String appId) throws IOException {
        List<ProcessHandle> executors = new ArrayList<>();
        for (long pid : pids("worker-")) {
            ProcessHandle.of(pid).ifPresent(worker -> worker.descendants()
                    .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                    .filter(h -> appId.isEmpty() || h.info().commandLine().orElse("").contains("--app-id " + appId))
                    .forEach(executors::add));
        }
        return executors;
    }

    /**
     * Processes still alive in the sessions the cluster's daemons lead (daemons and executors).
     *
     * @return how many
     */
    public int processesLeft() throws IOException, InterruptedException {
        int left = 0;
        for (long pid : daemons) {
            Process pgrep = new ProcessBuilder("pgrep", "-s", String.valueOf(pid)).redirectErrorStream(true).start();
            String out = new String(pgrep.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            pgrep.waitFor();
            left += (int) out.lines().filter(l -> !l.isBlank()).count();
        }
        return left;
    }

    private List<Long> pids(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(stateDir)) {
            List<Long> pids = new ArrayList<>();
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith(prefix)
                    && f.getFileName().toString().endsWith(".pid")).toList()) {
                // "PID START-TIME", as kit/bin/cluster writes it
                pids.add(Long.parseLong(Files.readString(f).strip().split(" ")[0]));
            }
            return pids;
        }
    }

    /**
     * Stops every process of the cluster through {@code kit cluster stop}, then removes its state
     * directory: the workers' directories hold a copy of the application's jars per executor, close
     * to 2 GB a run, which would otherwise pile up in the temporary directory run after run.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        Process p = script(stateDir, "stop").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return;
        }
        try (Stream<Path> walk = Files.walk(stateDir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        Files.deleteIfExists(stateDir.resolveSibling(stateDir.getFileName() + ".start.log"));
    }

    private static ProcessBuilder script(Path state, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", kitHome().resolve("bin/cluster").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("KIT_CLUSTER_DIR", state.toString());
        return pb;
    }

    /** @return the kit module: target/test-classes (or the test jar), two levels up */
    static Path kitHome() {
        try {
            return Path.of(StandaloneCluster.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
