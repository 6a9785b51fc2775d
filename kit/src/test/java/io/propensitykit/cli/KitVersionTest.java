package io.propensitykit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code -V} answers with the build's version on every command (it printed nothing before). */
class KitVersionTest {

    @Test
    void everyCommandPrintsTheBuildsVersion() {
        assertTrue(KitVersion.kit().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), "the build fills the version in: "
                + KitVersion.kit());
        for (Object command : List.of(new ScoreJob(), new DriftJob(), new GenerateJob())) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            assertEquals(Cli.OK, Cli.execute(command, stream, stream, "-V"), command.getClass().getSimpleName());
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertEquals("propensity kit " + KitVersion.kit() + " (Spark 3.5.7, Scala 2.12.18, DJL ",
                    out.substring(0, out.indexOf("DJL ") + 4), command.getClass().getSimpleName() + ": " + out);
            assertTrue(out.strip().endsWith(", Java " + Runtime.version().feature() + ")"), out);
        }
    }
}
