package io.propensitykit.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * Checks an output path before anything is written: it must not overlap an input, and it must not
 * exist unless the user asked to replace it. A job that fails removes what it created, so that a
 * rerun is not blocked by a half-written directory; it never removes what was there before.
 *
 * <pre>{@code
 * OutputPaths.Target out = OutputPaths.check(hadoopConf, "--output", output, overwrite, input);
 * try { job.write(out.path()); } catch (RuntimeException e) { out.removeIfCreated(); throw e; }
 * }</pre>
 */
public final class OutputPaths {

    private OutputPaths() {}

    /**
     * An output path that passed the checks.
     *
     * @param fs its file system
     * @param path the qualified path
     * @param existed whether something was there before the job
     */
    public record Target(FileSystem fs, Path path, boolean existed) {

        /** @return the path as a string Spark's writers take */
        public String location() {
            return path.toString();
        }

        /** Deletes the output after a failed job, only if this job created it. */
        public void removeIfCreated() {
            if (existed) {
                return;
            }
            try {
                fs.delete(path, true);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not remove the incomplete output " + path, e);
            }
        }
    }

    /**
     * Checks an output against the inputs and the overwrite flag.
     *
     * @param conf the Hadoop configuration (Spark's, for hdfs: and s3a: settings)
     * @param flag the option that named the output, for messages, e.g. {@code --output}
     * @param output the output path or URI
     * @param overwrite whether an existing output may be replaced
     * @param inputs the paths the job reads
     * @return the checked target
     * @throws IllegalArgumentException naming the overlap or the existing output and the fix
     */
    public static Target check(Configuration conf, String flag, String output, boolean overwrite, String... inputs) {
        try {
            Path out = qualify(conf, output);
            for (String input : inputs) {
                Path in = qualify(conf, input);
                if (contains(out, in) || contains(in, out)) {
                    throw new IllegalArgumentException(flag + " " + output + " overlaps the input " + input
                            + ": writing there would destroy the data being read, even with --overwrite. Choose an"
                            + " output outside the input.");
                }
            }
            FileSystem fs = out.getFileSystem(conf);
            boolean exists = fs.exists(out);
            if (exists && !overwrite) {
                boolean complete = fs.getFileStatus(out).isFile() || fs.exists(new Path(out, "_SUCCESS"));
                throw new IllegalArgumentException(flag + " " + output + " already exists"
                        + (complete ? "" : " and holds no complete result (no _SUCCESS: an earlier run stopped)")
                        + ". Pass --overwrite to replace it, or choose another " + flag + ".");
            }
            return new Target(fs, out, exists);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not check " + flag + " " + output + ": " + e.getMessage(), e);
        }
    }

    private static Path qualify(Configuration conf, String location) throws IOException {
        Path path = new Path(location);
        return path.getFileSystem(conf).makeQualified(path);
    }

    /** Whether {@code inner} is {@code outer} or lies below it. */
    private static boolean contains(Path outer, Path inner) {
        URI o = outer.toUri();
        URI i = inner.toUri();
        if (!String.valueOf(o.getScheme()).equals(String.valueOf(i.getScheme()))
                || !String.valueOf(o.getAuthority()).equals(String.valueOf(i.getAuthority()))) {
            return false;
        }
        String op = o.getPath().endsWith("/") ? o.getPath() : o.getPath() + "/";
        String ip = i.getPath().endsWith("/") ? i.getPath() : i.getPath() + "/";
        return ip.startsWith(op);
    }
}
