package io.propensitykit.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks an output path before anything is written: it must not overlap an input, as written or
 * as it is on disk (symbolic links resolved, including links inside a local input directory), and
 * it must not exist unless the user asked to replace it. A job that fails removes what it created,
 * so that a rerun is not blocked by a half-written directory; it never removes what was there
 * before.
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
            Path realOut = real(conf, out);
            for (String input : inputs) {
                Path in = qualify(conf, input);
                Path realIn = real(conf, in);
                String through = overlap(out, in) ? ""
                        : overlap(realOut, realIn) ? " (through a symbolic link: " + resolved(output, out, realOut,
                                input, in, realIn) + ")"
                        : linkedInto(in, realOut);
                if (through != null) {
                    throw new IllegalArgumentException(flag + " " + output + " overlaps the input " + input + through
                            + ": writing there would destroy the data being read, even with --overwrite. Choose an"
                            + " output outside the input.");
                }
            }
            FileSystem fs = out.getFileSystem(conf);
            requireWritable(flag, output, out);
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

    /**
     * A local output whose directory cannot be written fails now, in one line, not after the job has
     * run and Spark fails to create its temporary directory there.
     *
     * @param flag the option that named the output, for the message
     * @param output the output as given
     * @param out the qualified output path; its nearest existing directory above is checked
     * @throws IllegalArgumentException when no file can be created there
     */
    private static void requireWritable(String flag, String output, Path out) {
        if ("file".equals(out.toUri().getScheme()) && out.getParent() != null) {
            requireWritableDirectory(flag, output, java.nio.file.Path.of(out.getParent().toUri()));
        }
    }

    /**
     * The local directory an output goes into (or its nearest existing parent) lets this user create
     * files, checked by creating and removing one.
     *
     * @param flag the option that named the output, for the message
     * @param output the output as given
     * @param directory the directory that will hold the output
     * @throws IllegalArgumentException when no file can be created there
     */
    public static void requireWritableDirectory(String flag, String output, java.nio.file.Path directory) {
        java.nio.file.Path dir = directory.toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir)) {
            dir = dir.getParent();
        }
        if (dir == null) {
            return;
        }
        try {
            Files.delete(Files.createTempFile(dir, ".kit-write-check-", ""));
        } catch (IOException e) {
            throw new IllegalArgumentException(flag + " " + output + " cannot be written: " + dir + " does not let"
                    + " this user create files (" + e.getClass().getSimpleName() + "). Choose another " + flag + ".",
                    e);
        }
    }

    private static boolean overlap(Path a, Path b) {
        return contains(a, b) || contains(b, a);
    }

    /** @return "A is B", for each of the two paths that a link leads elsewhere */
    private static String resolved(String output, Path out, Path realOut, String input, Path in, Path realIn) {
        List<String> words = new ArrayList<>();
        if (!out.equals(realOut)) {
            words.add(output + " is " + shown(realOut));
        }
        if (!in.equals(realIn)) {
            words.add(input + " is " + shown(realIn));
        }
        return String.join("; ", words);
    }

    /** @return a local path as a plain path, any other as its URI */
    private static String shown(Path path) {
        return "file".equals(path.toUri().getScheme()) ? path.toUri().getPath() : path.toString();
    }

    /**
     * The path as it is on its file system: symbolic links resolved (on the local file system by the
     * operating system, elsewhere by {@link FileSystem#resolvePath}), for the part of it that exists.
     */
    static Path real(Configuration conf, Path path) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        Path existing = path;
        List<String> rest = new ArrayList<>();
        while (existing.getParent() != null && !fs.exists(existing)) {
            rest.add(0, existing.getName());
            existing = existing.getParent();
        }
        Path resolved;
        if ("file".equals(existing.toUri().getScheme())) {
            resolved = new Path(java.nio.file.Path.of(existing.toUri()).toRealPath().toString());
        } else if (fs.exists(existing)) {
            resolved = fs.resolvePath(existing);
        } else {
            return path;
        }
        for (String name : rest) {
            resolved = new Path(resolved, name);
        }
        return fs.makeQualified(resolved);
    }

    /**
     * A local input directory may hold symbolic links of its own (a table assembled from links); one
     * that leads into the output would be deleted with it.
     *
     * @return the words that name such a link, or null when there is none
     */
    private static String linkedInto(Path input, Path realOut) throws IOException {
        if (!"file".equals(input.toUri().getScheme())) {
            return null;
        }
        java.nio.file.Path dir = java.nio.file.Path.of(input.toUri());
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<java.nio.file.Path> walk = Files.walk(dir)) {
            Iterator<java.nio.file.Path> entries = walk.limit(LINK_SCAN_LIMIT).iterator();
            while (entries.hasNext()) {
                java.nio.file.Path entry = entries.next();
                if (Files.isSymbolicLink(entry) && Files.exists(entry)) {
                    Path target = new Path("file", null, entry.toRealPath().toString());
                    if (overlap(realOut, target)) {
                        return " (through the symbolic link " + entry + " to " + entry.toRealPath() + ")";
                    }
                }
            }
        } catch (UncheckedIOException unreadable) {
            // A subdirectory that cannot be listed cannot be read by the job either; Spark will say so.
        }
        return null;
    }

    /** Entries of a local input directory looked at for symbolic links. */
    private static final long LINK_SCAN_LIMIT = 100_000;

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
