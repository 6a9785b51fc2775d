package io.propensitykit.model;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Copies a model from any Hadoop file system ({@code hdfs:}, {@code s3a:}, ...) to local disk.
 * Kept apart so that the kit loads local models on a JVM without Hadoop classes.
 */
final class HadoopFiles {

    private HadoopFiles() {}

    static Path copyToLocal(URI uri, Object hadoopConf, Path localDir) throws IOException {
        Configuration conf = hadoopConf instanceof Configuration c ? c : new Configuration();
        org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs = fileSystem(source, conf, uri);
        FileStatus status;
        try {
            status = fs.getFileStatus(source);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException("Model not found: " + uri);
        }
        Files.createDirectories(localDir);
        Path target = localDir.resolve(source.getName());
        if (status.isDirectory()) {
            Files.createDirectories(target);
            for (FileStatus child : fs.listStatus(source)) {
                if (child.isFile()) {
                    fs.copyToLocalFile(false, child.getPath(),
                            new org.apache.hadoop.fs.Path(target.resolve(child.getPath().getName()).toUri()), true);
                }
            }
        } else {
            fs.copyToLocalFile(false, source, new org.apache.hadoop.fs.Path(target.toUri()), true);
            // The metadata travels next to a model file: X.pt comes with X.json.
            String metadataName = ModelMetadata.pathFor(target).getFileName().toString();
            org.apache.hadoop.fs.Path metadata = new org.apache.hadoop.fs.Path(source.getParent(), metadataName);
            if (fs.exists(metadata)) {
                fs.copyToLocalFile(false, metadata,
                        new org.apache.hadoop.fs.Path(localDir.resolve(metadataName).toUri()), true);
            }
        }
        return target;
    }

    /**
     * The file system of a model location, or an error that says what is missing: Hadoop names an
     * s3a file system whose class is absent with a raw {@link ClassNotFoundException}.
     */
    private static FileSystem fileSystem(org.apache.hadoop.fs.Path source, Configuration conf, URI uri)
            throws IOException {
        try {
            return source.getFileSystem(conf);
        } catch (IOException | RuntimeException e) {
            boolean classMissing = e.getCause() instanceof ClassNotFoundException || e instanceof RuntimeException
                    && String.valueOf(e.getMessage()).contains("ClassNotFoundException");
            throw new IOException("No file system for model location " + uri + " ("
                    + (classMissing ? "its class is not on the class path" : e.getMessage()) + "). For s3a:// put"
                    + " org.apache.hadoop:hadoop-aws, of the version of Spark's hadoop-client, on the class path.", e);
        }
    }

    /** Reads the metadata JSON of a model on a Hadoop file system, without fetching the weights. */
    static String readMetadata(URI uri, Object hadoopConf) throws IOException {
        Configuration conf = hadoopConf instanceof Configuration c ? c : new Configuration();
        org.apache.hadoop.fs.Path source = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs = fileSystem(source, conf, uri);
        FileStatus status;
        try {
            status = fs.getFileStatus(source);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException("Model not found: " + uri);
        }
        org.apache.hadoop.fs.Path json = status.isDirectory()
                ? new org.apache.hadoop.fs.Path(source, ModelMetadata.DIRECTORY_FILE_NAME)
                : new org.apache.hadoop.fs.Path(source.getParent(),
                        ModelMetadata.pathFor(Path.of(source.getName())).getFileName().toString());
        try (var in = fs.open(json)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException("No metadata for model " + uri + ": expected " + json);
        }
    }
}
