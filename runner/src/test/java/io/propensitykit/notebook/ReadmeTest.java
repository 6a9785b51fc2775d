package io.propensitykit.notebook;

import static io.propensitykit.notebook.NoteRun.paragraph;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The README's Scala, run as written: every {@code ```scala} block becomes a {@code %spark} paragraph
 * of one note, in the README's order (as a reader pastes them into one Zeppelin note), and the note
 * must run through. The README's shell commands run in {@code .ci/readme}.
 */
class ReadmeTest extends NoteRunTestBase {

    private static final Pattern SCALA_BLOCK = Pattern.compile("(?ms)^```scala\\n(.*?)^```");

    static List<String> scalaBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = SCALA_BLOCK.matcher(markdown);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    private Path noteOf(List<String> blocks, String name) throws Exception {
        Notes note = Notes.named(name).paragraph("Quiet", "%spark.conf\nzeppelin.spark.printREPLOutput false");
        for (int i = 0; i < blocks.size(); i++) {
            note.paragraph("README block " + (i + 1), "%spark\n" + blocks.get(i));
        }
        return note.write(tmp, name + ".zpln");
    }

    @Test
    void everyScalaBlockOfTheReadmeRunsAsWritten() throws Exception {
        List<String> blocks = scalaBlocks(Files.readString(Project.root().resolve("README.md")));
        assertTrue(blocks.size() >= 2, "the README's Scala examples were found: " + blocks.size());
        int status = kit.note(noteOf(blocks, "readme"), "--keep-going");
        JsonObject done = kit.executed("readme");
        for (int i = 1; i <= blocks.size(); i++) {
            JsonObject p = paragraph(done, i);
            assertEquals("FINISHED", p.get("status").getAsString(), "README Scala block " + i + ":\n" + blocks.get(i - 1)
                    + "\nfailed with:\n" + p.getAsJsonObject("results").toString());
        }
        assertEquals(0, status, kit.console());
    }

    @Test
    void aBrokenBlockFailsTheCheck() throws Exception {
        // The check itself: a README whose example calls a method that does not exist must not pass.
        String broken = "```scala\nimport io.propensitykit.spark.Propensity\n"
                + "val model = Propensity.loadd(spark, \"classpath:models/retail_mlp.pt\")\n```\n";
        List<String> blocks = scalaBlocks("Some text.\n\n" + broken);
        assertEquals(1, blocks.size());
        assertEquals(1, kit.note(noteOf(blocks, "broken"), "--keep-going"));
        assertEquals("ERROR", paragraph(kit.executed("broken"), 1).get("status").getAsString());
    }
}
