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
        FileSystem fs;
        try {
            fs = source.getFileSystem(conf);
        } catch (IOException e) {
            throw new IOException("No file system for model location " + uri + " (" + e.getMessage()
                    + "). For s3a: put hadoop-aws on the class path.", e);
        }
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
}
