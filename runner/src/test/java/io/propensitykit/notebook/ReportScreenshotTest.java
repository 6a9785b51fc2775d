package io.propensitykit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

/**
 * A report as a person sees it: headless Chromium (Debian's {@code chromium}) takes a screenshot,
 * and the pixels must show the table (its header and grid colours) and the {@code %html} chart (its
 * bar colour), on a page that is not blank. Skips where Chromium is not installed; {@code .ci/run}
 * installs it.
 */
class ReportScreenshotTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @Test
    void reportRendersTablesAndChart(@TempDir Path tmp) throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "Debian's chromium is not installed (apt-get install chromium)");
        Path note = Notes.named("Screenshot")
                .paragraph("Intro", "%md\n## A report\nA table and a chart follow.")
                .paragraph("Table", "%sql\nSELECT id, id * id AS square FROM range(8)")
                .paragraph("Chart", "%spark\n{\n  val bars = (1 to 8).map(i => s\"\"\"<rect x='${i * 30}'"
                        + " y='${200 - i * 20}' width='24' height='${i * 20}' fill='#e4572e'/>\"\"\").mkString\n"
                        + "  println(s\"%html <svg width='300' height='210'>$bars</svg>\")\n}")
                .write(tmp, "screenshot.zpln");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path out = tmp.resolve("out");
        assertEquals(0, RunCommand.run(new String[] {note.toString(), "--out", out.toString(), "--master", "local[1]"},
                new PrintStream(log, true)), log.toString());

        Path png = Project.root().resolve("runner").resolve("target").resolve("report-screenshot.png");
        Files.createDirectories(png.getParent());
        Files.deleteIfExists(png);
        Process chromium = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile"),
                "--screenshot=" + png, "--window-size=1200,900", out.resolve("screenshot.html").toUri().toString()))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile()).start();
        assertTrue(chromium.waitFor(90, TimeUnit.SECONDS), "chromium finished");
        assertTrue(Files.size(png) > 0, Files.readString(tmp.resolve("chromium.log")));

        BufferedImage image = ImageIO.read(png.toFile());
        long total = (long) image.getWidth() * image.getHeight();
        long nonWhite = count(image, rgb -> rgb != 0xFFFFFF);
        long chartBars = count(image, rgb -> rgb == 0xE4572E);
        long tableHeader = count(image, rgb -> rgb == 0xF0F0F0);
        assertTrue(nonWhite > total / 50, "the page is not blank: " + nonWhite + " of " + total + " pixels");
        // 8 bars of 24 px wide and 20..160 px high: about 17,000 pixels of the chart colour.
        assertTrue(chartBars > 10_000, "the %html chart is drawn: " + chartBars + " bar pixels");
        assertTrue(tableHeader > 500, "the table's header row is drawn: " + tableHeader + " pixels");
    }

    private static long count(BufferedImage image, java.util.function.IntPredicate test) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (test.test(image.getRGB(x, y) & 0xFFFFFF)) {
                    n++;
                }
            }
        }
        return n;
    }
}
