package io.propensitykit.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.cli.Cli;
import io.propensitykit.cli.ScoreJob;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An {@code s3a://} model on a Spark without Hadoop's S3A file system, as most Spark distributions
 * ship: one line that says what to add. Here, because the kit's own tests carry hadoop-aws and the
 * runner's class path, like a plain Spark's, does not.
 */
class S3WithoutHadoopAwsTest {

    @Test
    void anS3aModelWithoutHadoopAwsSaysWhatToAdd(@TempDir Path tmp) throws Exception {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.hadoop.fs.s3a.S3AFileSystem"),
                "this test needs a class path without hadoop-aws");
        Path input = Files.writeString(tmp.resolve("in.csv"), "id,recency,frequency,monetary,tenure\n1,10,2,50,12\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            int status = Cli.execute(new ScoreJob(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), "--model", "s3a://bucket/m.pt", "--input",
                    input.toString(), "--output", tmp.resolve("out").toString(), "--master", "local[1]");
            String text = err.toString(StandardCharsets.UTF_8);
            assertEquals(Cli.FAILED, status, text);
            assertEquals(1, text.lines().count(), text);
            assertTrue(text.startsWith("kit score: error: s3a:// paths need Hadoop's S3A file system: add"
                    + " org.apache.hadoop:hadoop-aws"), text);
            assertFalse(Files.exists(tmp.resolve("out")));
        } finally {
            SparkSession.getDefaultSession().foreach(s -> {
                s.stop();
                return null;
            });
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
    }

    @Test
    void anS3aModelFromANoteSaysWhatToAddToo() {
        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false")
                .getOrCreate();
        try {
            Exception e = assertThrows(Exception.class,
                    () -> io.propensitykit.spark.Propensity.load(spark, "s3a://bucket/m.pt"));
            String message = e.getMessage();
            assertTrue(message.contains("No file system for model location s3a://bucket/m.pt (its class is not on the"
                    + " class path). For s3a:// put org.apache.hadoop:hadoop-aws"), message);
            assertFalse(message.contains("ClassNotFoundException"), message);
        } finally {
            spark.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
    }
}
