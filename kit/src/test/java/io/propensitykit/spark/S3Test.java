package io.propensitykit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.cli.Cli;
import io.propensitykit.cli.ScoreJob;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.model.PropensityModel;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code kit score} against an S3-compatible server started here (s3rver, from the npm registry)
 * through Hadoop's S3A client, not a mock: the model with its checksum pin, the input and the output
 * in a bucket, the scores equal to the same rows scored from the class-path model. A missing bucket,
 * a missing file and bad credentials each give one line.
 *
 * <p>Skips unless s3rver is installed: {@code npm install --prefix kit/target/s3rver s3rver@3.7.1}
 * ({@code .ci/run} does), or {@code -Ds3rver=PATH} names its executable.
 */
class S3Test extends SharedSpark {

    /** s3rver's one account. */
    private static final String KEY = "S3RVER";

    @TempDir
    static Path tmp;

    private static Process server;
    private static PropensityModel model;
    /** Why the tests skip, or null when s3rver runs. */
    private static String missing;

    /** Each test is reported as skipped, with the reason, when s3rver is not there (not "0 tests run"). */
    @BeforeEach
    void requireS3() {
        Assumptions.assumeTrue(missing == null, missing);
    }

    @BeforeAll
    static void startS3() throws Exception {
        Path bin = Path.of(System.getProperty("s3rver", Path.of(S3Test.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).resolveSibling("s3rver/node_modules/.bin/s3rver").toString()));
        if (!Files.isExecutable(bin)) {
            missing = "s3rver is not installed at " + bin + ": npm install --prefix kit/target/s3rver s3rver@3.7.1";
            return;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(bin.toString(), "-d", Files.createDirectories(tmp.resolve("s3")).toString(),
                "-a", "127.0.0.1", "-p", String.valueOf(port), "--silent", "--no-vhost-buckets",
                // s3rver computes V2 signatures over another resource path than the AWS SDK's
                // path-style requests; it still refuses an access key that is not its own.
                "--allow-mismatched-signatures",
                "--configure-bucket", "kit", "--configure-bucket", "locked")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("s3rver.log").toFile());
        // s3rver's list continuation tokens use a cipher that OpenSSL 3 (Node 17+) keeps in its legacy provider.
        builder.environment().put("NODE_OPTIONS", "--openssl-legacy-provider");
        server = builder.start();
        awaitPort(port);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        conf.set("fs.s3a.endpoint", "http://127.0.0.1:" + port);
        conf.set("fs.s3a.endpoint.region", "us-east-1");
        conf.set("fs.s3a.path.style.access", "true");
        conf.set("fs.s3a.connection.ssl.enabled", "false");
        conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        // Signature V2: s3rver stores V4's aws-chunked upload bodies as they are.
        conf.set("fs.s3a.signing-algorithm", "S3SignerType");
        conf.set("fs.s3a.access.key", KEY);
        conf.set("fs.s3a.secret.key", KEY);
        // Fail fast: a test server answers at once or not at all.
        conf.set("fs.s3a.attempts.maximum", "1");
        conf.set("fs.s3a.retry.limit", "1");
        // The bucket "locked" exists, but these credentials are not the server's.
        conf.set("fs.s3a.bucket.locked.access.key", "NOT-" + KEY);
        conf.set("fs.s3a.bucket.locked.secret.key", "wrong");

        model = Propensity.load(spark, "classpath:models/retail_mlp.pt");
        FileSystem fs = FileSystem.get(URI.create("s3a://kit/"), conf);
        Path local = Path.of(S3Test.class.getResource("/models/retail_mlp.pt").toURI());
        for (String file : List.of("retail_mlp.pt", "retail_mlp.json")) {
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.resolveSibling(file).toUri()),
                    new org.apache.hadoop.fs.Path("s3a://kit/models/" + file));
        }
        RetailGenerator.builder().optRows(20_000).optSeed(4).optPartitions(2).build().generate(spark)
                .write().parquet("s3a://kit/data/customers.parquet");
    }

    private static void awaitPort(int port) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!server.isAlive()) {
                    throw new IllegalStateException("s3rver exited: " + Files.readString(tmp.resolve("s3rver.log")));
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("s3rver did not listen on " + port + " within 30 s");
    }

    @AfterAll
    static void stopS3() {
        if (server != null) {
            server.destroy();
        }
    }

    private static String score(String modelPath, String input, String output) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Cli.execute(new ScoreJob(), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), "--model", modelPath, "--sha256", model.sha256(),
                "--input", input, "--output", output, "--id", "customer_id");
        return status + " " + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void modelInputAndOutputInABucketScoreAsLocalFilesDo() {
        String result = score("s3a://kit/models/retail_mlp.pt", "s3a://kit/data/customers.parquet",
                "s3a://kit/data/scored.parquet");
        assertTrue(result.startsWith("0 "), result);
        Dataset<Row> fromS3 = spark.read().parquet("s3a://kit/data/scored.parquet");
        Dataset<Row> local = Propensity.score(spark.read().parquet("s3a://kit/data/customers.parquet"), model)
                .select("customer_id", "propensity");
        assertEquals(20_000, fromS3.count());
        assertEquals(0, fromS3.exceptAll(local).count(), "scores differ between S3 and local");
        assertEquals(0, local.exceptAll(fromS3).count(), "rows missing from the S3 output");
    }

    @Test
    void aMissingBucketIsOneLine() {
        String result = score("s3a://no-such-bucket/models/retail_mlp.pt", "s3a://kit/data/customers.parquet",
                "s3a://kit/data/never.parquet");
        assertOneLine(result, "No such bucket for s3a://no-such-bucket/models/retail_mlp.pt: check the bucket's name");
    }

    @Test
    void aMissingFileIsOneLine() {
        String result = score("s3a://kit/models/churn.pt", "s3a://kit/data/customers.parquet",
                "s3a://kit/data/never.parquet");
        assertOneLine(result, "Model not found: s3a://kit/models/churn.pt");
    }

    @Test
    void badCredentialsAreOneLine() {
        String result = score("s3a://locked/models/retail_mlp.pt", "s3a://kit/data/customers.parquet",
                "s3a://kit/data/never.parquet");
        assertOneLine(result, "Access denied to s3a://locked/models/retail_mlp.pt (HTTP 403): check the S3 credentials");
    }

    private static void assertOneLine(String result, String names) {
        assertTrue(result.startsWith("1 kit score: error: "), result);
        assertEquals(1, result.lines().count(), result);
        assertTrue(result.contains(names), result);
    }
}
