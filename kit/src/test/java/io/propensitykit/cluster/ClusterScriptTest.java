package io.propensitykit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code kit cluster} touches only what it started. A pid file is only a number; these cases give it
 * numbers that now belong to real processes of this test's own (each {@code sleep} in a session of
 * its own, as a Spark daemon would be), and check which of them survive {@code stop}. No Spark is
 * started: the script's bookkeeping is what is tested.
 */
class ClusterScriptTest {

    @TempDir
    Path state;

    private final List<ProcessHandle> started = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        started.forEach(ProcessHandle::destroyForcibly);
    }

    /** What the script left: its status and its output, both streams. */
    private record Outcome(int status, String out) {}

    private Outcome cluster(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", StandaloneCluster.kitHome().resolve("bin/cluster")
                .toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("KIT_CLUSTER_DIR", state.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kit cluster " + String.join(" ", args) + " ended");
        return new Outcome(p.exitValue(), out);
    }

    /**
     * A {@code sleep} that leads a session of its own, named {@code name} in its command line.
     *
     * @param env its environment beyond this JVM's
     * @return its handle
     */
    private ProcessHandle sessionLeader(String name, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("setsid", "bash", "-c", "echo $$; exec -a '" + name + "' sleep 300")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        long pid = Long.parseLong(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .readLine().strip());
        ProcessHandle leader = ProcessHandle.of(pid).orElseThrow();
        started.add(leader);
        return leader;
    }

    /** The start time of a process in clock ticks: field 22 of /proc/PID/stat, read here independently. */
    private static String startTime(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return after[19];
    }

    private void pidFile(String name, String text) throws IOException {
        Files.writeString(state.resolve(name + ".pid"), text + "\n");
    }

    @Test
    void aStaleWorkerPidNowOfAnUnrelatedSessionIsNotSignalled() throws Exception {
        ProcessHandle unrelated = sessionLeader("sleep-of-another-user", Map.of());
        Files.writeString(state.resolve("cluster-id"), "mine\n");
        pidFile("worker-1", String.valueOf(unrelated.pid()));
        long before = System.nanoTime();
        Outcome o = cluster("stop");
        assertEquals(0, o.status(), o.out());
        assertTrue(o.out().contains("kit cluster: worker-1 stale: pid " + unrelated.pid()
                + " is now another process (sleep-of-another-user 300), not this cluster's; not signalled"), o.out());
        assertTrue(o.out().contains("kit cluster: nothing was running"), o.out());
        assertTrue((System.nanoTime() - before) / 1e9 < 10, "no 20 s wait for what is not ours");
        Thread.sleep(300);
        assertTrue(unrelated.isAlive(), "the unrelated session survives stop");
        assertFalse(Files.exists(state.resolve("worker-1.pid")), "the stale file is forgotten");
    }

    @Test
    void anotherClustersMasterIsNeitherReportedNorKilled() throws Exception {
        ProcessHandle other = sessionLeader("java org.apache.spark.deploy.master.Master --port 7077",
                Map.of("KIT_CLUSTER_ID", "another-cluster"));
        Files.writeString(state.resolve("cluster-id"), "mine\n");
        Files.writeString(state.resolve("master-url"), "spark://127.0.0.1:7077\n");
        pidFile("master", other.pid() + " " + startTime(other.pid()));
        Outcome status = cluster("status");
        assertEquals(0, status.status(), status.out());
        assertTrue(status.out().matches("(?s).*\n  master +pid " + other.pid() + " +stale: pid " + other.pid()
                + " is now another process \\(java org.apache.spark.deploy.master.Master --port 7077 300\\),"
                + " not this cluster's\n.*"), status.out());
        assertFalse(status.out().contains("running"), status.out());
        Outcome stop = cluster("stop");
        assertEquals(0, stop.status(), stop.out());
        assertTrue(stop.out().contains("kit cluster: master stale"), stop.out());
        Thread.sleep(300);
        assertTrue(other.isAlive(), "another cluster's master survives stop");
    }

    @Test
    void ourIdWithAnotherStartTimeIsAReusedPid() throws Exception {
        ProcessHandle reused = sessionLeader("java org.apache.spark.deploy.worker.Worker",
                Map.of("KIT_CLUSTER_ID", "mine"));
        Files.writeString(state.resolve("cluster-id"), "mine\n");
        long recorded = Long.parseLong(startTime(reused.pid())) - 1;
        pidFile("worker-1", reused.pid() + " " + recorded);
        Outcome stop = cluster("stop");
        assertTrue(stop.out().contains("worker-1 stale"), stop.out());
        Thread.sleep(300);
        assertTrue(reused.isAlive());
    }

    @Test
    void whatIsOursStopsWithTheProcessesOfItsSession() throws Exception {
        // The control: a daemon of this cluster (its id, its start time) and a child in its session, as
        // a worker and the executor it started. Both end; an unrelated session next to it does not.
        ProcessBuilder pb = new ProcessBuilder("setsid", "bash", "-c",
                "echo $$; (exec -a executor-of-worker-1 sleep 300) & exec -a worker-1 sleep 300")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("KIT_CLUSTER_ID", "mine");
        // A large environment, as a CI job's or a Maven fork's: reading it must not race a closed pipe.
        for (int i = 0; i < 4; i++) {
            pb.environment().put("KIT_TEST_BULK_" + i, "x".repeat(100_000));
        }
        Process p = pb.start();
        long pid = Long.parseLong(new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
                .readLine().strip());
        ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
        started.add(worker);
        Thread.sleep(200);
        List<ProcessHandle> children = worker.children().toList();
        assertEquals(1, children.size(), "the worker's child");
        started.addAll(children);
        ProcessHandle unrelated = sessionLeader("sleep-next-door", Map.of());
        Files.writeString(state.resolve("cluster-id"), "mine\n");
        pidFile("worker-1", pid + " " + startTime(pid));
        Outcome stop = cluster("stop");
        assertEquals(0, stop.status(), stop.out());
        assertTrue(stop.out().contains("kit cluster: stopped"), stop.out());
        worker.onExit().get(5, TimeUnit.SECONDS);
        children.get(0).onExit().get(5, TimeUnit.SECONDS);
        assertTrue(unrelated.isAlive());
    }

    @Test
    void aDeadPidIsReportedAsStoppedWithoutNoise() throws Exception {
        Files.writeString(state.resolve("cluster-id"), "mine\n");
        Files.writeString(state.resolve("master-url"), "spark://127.0.0.1:7077\n");
        pidFile("master", "999999999 1");
        Outcome status = cluster("status");
        assertEquals(0, status.status(), status.out());
        assertTrue(status.out().matches("(?s).*\n  master +pid 999999999 +stopped\n.*"), status.out());
        assertFalse(status.out().contains("No such file") || status.out().contains("line "), status.out());
    }

    @Test
    void anOptionWithoutItsValueIsAUsageErrorInOneLine() throws Exception {
        Outcome o = cluster("start", "--cores");
        assertEquals(2, o.status(), o.out());
        assertEquals("kit cluster: --cores needs a value", o.out().lines().findFirst().orElse(""));
        assertFalse(o.out().contains("line "), o.out());
    }
}
