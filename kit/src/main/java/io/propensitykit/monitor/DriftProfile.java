package io.propensitykit.monitor;

import io.propensitykit.display.Formats;
import io.propensitykit.internal.JsonErrors;

import io.propensitykit.monitor.FeatureDrift.Kind;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A baseline's drift summary, computed once and kept: per column its kind, its quantile edges and
 * its bins' counts. Comparing new data with a profile reads only the new data, once, and the
 * baseline (the training data, a launch week) need not be at hand.
 *
 * <pre>{@code
 * DriftProfile reference = Drift.forModel(model.metadata(), trainingData).setScore("propensity").profile();
 * reference.save(spark, "hdfs:///monitor/retail_mlp/reference.json");
 * // every week after:
 * DriftReport drift = Drift.against(DriftProfile.load(spark, "hdfs:///monitor/retail_mlp/reference.json"),
 *         thisWeek).compute();
 * }</pre>
 *
 * <p>A profile is a few kilobytes per numeric column and one count per level of a categorical one,
 * saved as JSON; a report against it is the same, to the last digit, as against the baseline it
 * summarizes.
 */
public final class DriftProfile {

    /** What the JSON calls itself, so that another JSON file is refused by name. */
    static final String FORMAT = "propensity-kit drift profile";
    static final int VERSION = 1;

    private final Map<String, Kind> columns;
    private final Map<String, double[]> fine;
    private final Map<String, double[]> coarse;
    private final BinCounts counts;
    private final int bins;
    private final int fineBins;
    private final String source;

    DriftProfile(Map<String, Kind> columns, Map<String, double[]> fine, Map<String, double[]> coarse,
            BinCounts counts, int bins, int fineBins, String source) {
        this.columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        this.fine = fine;
        this.coarse = coarse;
        this.counts = counts;
        this.bins = bins;
        this.fineBins = fineBins;
        this.source = source;
    }

    /** @return the profiled columns in order, with their kinds */
    public Map<String, Kind> columns() {
        return columns;
    }

    /** @return the columns profiled and the baseline's rows, as a notebook echoes it */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "DriftProfile[%d columns, %,d baseline rows]", columns.size(),
                counts.rows());
    }

    /** @return the baseline's rows */
    public long rows() {
        return counts.rows();
    }

    /** @return what the profile was made from (the model, when made with {@code Drift.forModel}), or "" */
    public String source() {
        return source;
    }

    List<String> names() {
        return new ArrayList<>(columns.keySet());
    }

    double[] fine(String col) {
        return fine.get(col);
    }

    double[] coarse(String col) {
        return coarse.get(col);
    }

    BinCounts counts() {
        return counts;
    }

    int bins() {
        return bins;
    }

    int fineBins() {
        return fineBins;
    }

    /**
     * The profile as JSON: its format and version, the baseline's rows, and per column its kind,
     * edges and bins. Doubles are written so that they read back exactly.
     *
     * @return pretty-printed JSON
     */
    public String json() {
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT);
        root.addProperty("version", VERSION);
        root.addProperty("source", source);
        root.addProperty("rows", counts.rows());
        root.addProperty("bins", bins);
        root.addProperty("fineBins", fineBins);
        JsonArray list = new JsonArray();
        List<String> names = names();
        for (int j = 0; j < names.size(); j++) {
            String name = names.get(j);
            JsonObject o = new JsonObject();
            o.addProperty("name", name);
            o.addProperty("kind", columns.get(name).name().toLowerCase(Locale.ROOT));
            if (columns.get(name) != Kind.CATEGORICAL) {
                o.add("edges", array(fine.get(name)));
                o.add("psiEdges", array(coarse.get(name)));
            }
            counts.json(j).entrySet().forEach(e -> o.add(e.getKey(), e.getValue()));
            list.add(o);
        }
        root.add("columns", list);
        return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(root);
    }

    /**
     * Reads a profile back from its {@link #json()}.
     *
     * @param json the text
     * @param where where it came from, for the message when it is not a profile
     * @return the profile
     * @throws IllegalArgumentException when the text is not a drift profile this kit can read
     */
    public static DriftProfile parse(String json, String where) {
        JsonObject root;
        try {
            root = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(where + " is not a drift profile the kit can read: it is not a JSON"
                    + " object" + JsonErrors.position(e) + ". Write one with Drift.forModel(model, baseline).profile()"
                    + ".save(spark, path).", e);
        }
        try {
            JsonElement format = root.get("format");
            if (format == null || !FORMAT.equals(format.getAsString())) {
                throw new IllegalArgumentException("it has no \"format\": \"" + FORMAT + "\"");
            }
            int version = root.get("version").getAsInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("it is version " + version + ", and this kit reads version "
                        + VERSION);
            }
            Map<String, Kind> columns = new LinkedHashMap<>();
            Map<String, double[]> fine = new LinkedHashMap<>();
            Map<String, double[]> coarse = new LinkedHashMap<>();
            List<JsonObject> bins = new ArrayList<>();
            JsonArray list = root.getAsJsonArray("columns");
            double[][] edges = new double[list.size()][];
            for (int j = 0; j < list.size(); j++) {
                JsonObject o = list.get(j).getAsJsonObject();
                String name = o.get("name").getAsString();
                Kind kind = kind(name, o.get("kind").getAsString());
                columns.put(name, kind);
                if (kind != Kind.CATEGORICAL) {
                    fine.put(name, increasing(name, "edges", doubles(o.getAsJsonArray("edges"))));
                    coarse.put(name, increasing(name, "psiEdges", doubles(o.getAsJsonArray("psiEdges"))));
                    edges[j] = fine.get(name);
                }
                bins.add(o);
            }
            long rows = root.get("rows").getAsLong();
            if (rows < 0 || root.get("bins").getAsInt() < 1 || root.get("fineBins").getAsInt() < 1) {
                throw new IllegalArgumentException("its rows (" + rows + "), bins and fineBins must be positive");
            }
            BinCounts counts = BinCounts.fromJson(edges, rows, bins);
            return new DriftProfile(columns, fine, coarse, counts, root.get("bins").getAsInt(),
                    root.get("fineBins").getAsInt(), root.has("source") ? root.get("source").getAsString() : "");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + " is not a drift profile the kit can read: " + e.getMessage()
                    + ". Write one with Drift.forModel(model, baseline).profile().save(spark, path).", e);
        }
    }

    /**
     * Writes the profile as JSON to a file on any file system Spark reads (local, HDFS, S3), never
     * over an existing file.
     *
     * @param spark the session whose Hadoop configuration reaches the path
     * @param path where the profile goes
     * @throws IllegalArgumentException when a file is already there
     */
    public void save(SparkSession spark, String path) {
        Path target = new Path(path);
        try {
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            try (FSDataOutputStream out = fs.create(target, false)) {
                out.write(json().getBytes(StandardCharsets.UTF_8));
            }
        } catch (FileAlreadyExistsException e) {
            throw new IllegalArgumentException("A file is already at " + path + "; the profile is never written over"
                    + " it. Remove it first, or choose another path.", e);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the drift profile to " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a profile that {@link #save} wrote.
     *
     * @param spark the session whose Hadoop configuration reaches the path
     * @param path the profile's JSON
     * @return the profile
     */
    public static DriftProfile load(SparkSession spark, String path) {
        Path source = new Path(path);
        try {
            FileSystem fs = source.getFileSystem(spark.sparkContext().hadoopConfiguration());
            try (InputStream in = fs.open(source)) {
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the drift profile " + path + ": " + e.getMessage(), e);
        }
    }

    private static Kind kind(String column, String kind) {
        for (Kind k : Kind.values()) {
            if (k.name().equalsIgnoreCase(kind)) {
                return k;
            }
        }
        throw new IllegalArgumentException("column '" + Formats.oneLine(column) + "' has the kind '"
                + Formats.oneLine(kind) + "', which is none of "
                + Arrays.toString(Kind.values()).toLowerCase(Locale.ROOT));
    }

    /** Bin edges as a profile must hold them: finite and strictly increasing. */
    private static double[] increasing(String column, String field, double[] edges) {
        for (int i = 0; i < edges.length; i++) {
            if (!Double.isFinite(edges[i]) || (i > 0 && !(edges[i] > edges[i - 1]))) {
                throw new IllegalArgumentException("column '" + Formats.oneLine(column) + "' has " + field + " "
                        + Arrays.toString(edges) + ", which are not finite and strictly increasing (at position "
                        + (i + 1) + ")");
            }
        }
        return edges;
    }

    private static JsonArray array(double[] values) {
        JsonArray a = new JsonArray();
        for (double v : values) {
            a.add(v);
        }
        return a;
    }

    private static double[] doubles(JsonArray a) {
        double[] values = new double[a.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = a.get(i).getAsDouble();
        }
        return values;
    }
}
