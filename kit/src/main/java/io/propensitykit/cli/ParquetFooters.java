package io.propensitykit.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which files of a Parquet input lack a column that the input's schema has. Spark takes the schema
 * from one file and reads a column another file lacks as null, so such a file's rows look like rows
 * with a null feature: refused under {@code error}, dropped under {@code skip}. Read only to explain
 * those, from the files' footers on the driver.
 */
final class ParquetFooters {

    /** At most this many footers are read; the answer says when there were more files. */
    static final int MAX_FILES = 500;

    private ParquetFooters() {}

    /**
     * Names the files that lack any of {@code columns}.
     *
     * @param conf the Hadoop configuration of the session that reads them
     * @param files the input's files, as {@code Dataset.inputFiles()} lists them
     * @param columns the top-level columns to look for
     * @return one sentence, or null when every file read has every column
     */
    static String lacking(Configuration conf, String[] files, List<String> columns) {
        List<String> found = new ArrayList<>();
        int read = Math.min(files.length, MAX_FILES);
        for (int i = 0; i < read; i++) {
            MessageType schema;
            Path file = new Path(files[i]);
            try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(file, conf))) {
                schema = reader.getFooter().getFileMetaData().getSchema();
            } catch (IOException e) {
                throw new UncheckedIOException("Could not read the Parquet footer of " + files[i], e);
            }
            List<String> missing = columns.stream().filter(c -> !schema.containsField(c)).toList();
            if (!missing.isEmpty()) {
                found.add(files[i] + " lacks " + missing);
            }
        }
        if (found.isEmpty()) {
            return null;
        }
        String checked = read < files.length
                ? String.format(Locale.ROOT, " (the first %,d of %,d files checked)", read, files.length) : "";
        return String.format(Locale.ROOT, "%,d of the input's files lack feature columns, which Spark reads as null:"
                + " %s%s%s. Rewrite those files with every feature, or leave them out of --input.", found.size(),
                found.get(0), found.size() > 1 ? String.format(Locale.ROOT, " and %,d more", found.size() - 1) : "",
                checked);
    }
}
