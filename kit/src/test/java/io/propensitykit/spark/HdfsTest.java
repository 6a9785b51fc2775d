package io.propensitykit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.cli.Cli;
import io.propensitykit.cli.ScoreJob;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.model.PropensityModel;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code kit score} against a real HDFS, a NameNode and a DataNode in this JVM (Hadoop's
 * MiniDFSCluster): the model with its checksum pin, the input and the output all on HDFS, the
 * scores equal to the same rows scored from local files.
 */
class HdfsTest extends SharedSpark {

    private static final String MODEL = "classpath:models/retail_mlp.pt";

    @TempDir
    static Path tmp;

    private static MiniDFSCluster hdfs;
    private static String root;
    private static PropensityModel model;

    @BeforeAll
    static void startHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        root = "hdfs://localhost:" + hdfs.getNameNodePort();
        FileSystem fs = hdfs.getFileSystem();
        model = Propensity.load(spark, MODEL);
        Path local = Path.of(HdfsTest.class.getResource("/models/retail_mlp.pt").toURI());
        for (String file : List.of("retail_mlp.pt", "retail_mlp.json")) {
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.resolveSibling(file).toUri()),
                    new org.apache.hadoop.fs.Path("/models/" + file));
        }
        RetailGenerator.builder().optRows(20_000).optSeed(3).optPartitions(3).build().generate(spark)
                .write().parquet(root + "/data/customers.parquet");
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    private static int score(ByteArrayOutputStream err, String... args) {
        return Cli.execute(new ScoreJob(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
    }

    @Test
    void modelInputAndOutputOnHdfsScoreAsLocalFilesDo() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, score(err, "--model", root + "/models/retail_mlp.pt", "--sha256", model.sha256(),
                "--input", root + "/data/customers.parquet", "--output", root + "/data/scored.parquet",
                "--id", "customer_id"), err.toString(StandardCharsets.UTF_8));
        assertTrue(hdfs.getFileSystem().exists(new org.apache.hadoop.fs.Path("/data/scored.parquet/_SUCCESS")));

        Dataset<Row> fromHdfs = spark.read().parquet(root + "/data/scored.parquet");
        // The same rows from the local copy, scored with the class-path model: an independent route to the file.
        Dataset<Row> local = Propensity.score(spark.read().parquet(root + "/data/customers.parquet"), model)
                .select("customer_id", "propensity");
        assertEquals(20_000, fromHdfs.count());
        assertEquals(0, fromHdfs.exceptAll(local).count(), "scores differ between HDFS and local");
        assertEquals(0, local.exceptAll(fromHdfs).count(), "rows missing from the HDFS output");
    }

    @Test
    void aWrongPinOnAnHdfsModelIsRefused() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(Cli.FAILED, score(err, "--model", root + "/models/retail_mlp.pt", "--sha256", "0".repeat(64),
                "--input", root + "/data/customers.parquet", "--output", root + "/data/never.parquet"));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("kit score: error: Checksum mismatch for model 'retail_mlp' at " + root), text);
    }

    @Test
    void aMissingModelOrInputOnHdfsIsOneLineNamingIt() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(Cli.FAILED, score(err, "--model", root + "/models/churn.pt",
                "--input", root + "/data/customers.parquet", "--output", root + "/data/never.parquet"));
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.contains("Model not found: " + root + "/models/churn.pt"), text);

        err.reset();
        assertEquals(Cli.FAILED, score(err, "--model", root + "/models/retail_mlp.pt",
                "--input", root + "/data/nothing.parquet", "--output", root + "/data/never.parquet"));
        text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.contains("Path does not exist: " + root + "/data/nothing.parquet"), text);
        assertFalse(hdfs.getFileSystem().exists(new org.apache.hadoop.fs.Path("/data/never.parquet")));
    }
}
