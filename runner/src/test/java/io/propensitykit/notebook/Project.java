package io.propensitykit.notebook;

import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the project is, found from the test classes rather than the working directory, and a way to run kit run in a JVM of its own. */
final class Project {

    private Project() {}

    /** @return the project root: runner/target/test-classes, three levels up */
    static Path root() {
        try {
            return Path.of(Project.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent()
                    .getParent().getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts {@code kit run} in a JVM of its own, with this JVM's flags and class path, as the
     * launcher would start it.
     *
     * @param workingDir the directory the JVM starts in
     * @param console where its output goes
     * @param args kit run's arguments
     * @return the process
     */
    static Process kitRun(Path workingDir, Path console, String... args) throws java.io.IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-D") || a.startsWith("-XX:+Ignore")).toList());
        command.add("-Xmx1g");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(RunCommand.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true)
                .redirectOutput(console.toFile()).start();
    }
}
