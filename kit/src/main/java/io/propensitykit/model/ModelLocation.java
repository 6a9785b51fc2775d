package io.propensitykit.model;

import io.propensitykit.internal.Sha256;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a model is, read once: {@code classpath:NAME} (a model shipped in a jar), a Hadoop URI
 * ({@code hdfs:}, {@code s3a:}, ...), or a local path or {@code file:} URI. It knows the rules every
 * reader of a model follows: where the metadata JSON sits beside a model file, which class loader
 * holds the class path's models, and how a remote or shipped model becomes a local file.
 */
final class ModelLocation {

    private static final Pattern URI_SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]+:.*");

    /** The three kinds of location. */
    private enum Kind { CLASSPATH, LOCAL, REMOTE }

    private final String text;
    private final Kind kind;

    private ModelLocation(String text) {
        this.text = text;
        this.kind = text.startsWith(PropensityModel.CLASSPATH) ? Kind.CLASSPATH
                : URI_SCHEME.matcher(text).matches() && !text.startsWith("file:") ? Kind.REMOTE : Kind.LOCAL;
    }

    /**
     * Reads a location as users give it.
     *
     * @param text a path, a URI or {@code classpath:NAME}
     * @return the location
     */
    static ModelLocation of(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("A model location is required: a .pt file or a DJL model directory");
        }
        return new ModelLocation(text);
    }

    /** The JSON beside a model file: its name with {@code .json} for its extension (not a leading dot). */
    static String siblingJson(String name) {
        return name.replaceFirst("(?<=[^/])\\.[^./]+$", "") + ".json";
    }

    /** The class loader of the class path's models: the thread's (Zeppelin's, Spark's) if it has one. */
    static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : ModelLocation.class.getClassLoader();
    }

    private String resource() {
        return text.substring(PropensityModel.CLASSPATH.length()).replaceFirst("^/", "");
    }

    private Path localPath() {
        return text.startsWith("file:") ? Path.of(URI.create(text)) : Path.of(text).toAbsolutePath();
    }

    /**
     * The metadata's JSON, read without fetching the model: cheap enough for Spark's schema checks.
     *
     * @param hadoopConf an {@code org.apache.hadoop.conf.Configuration} for remote locations, or null
     * @return the text and where it was read
     * @throws IOException when the file cannot be read
     */
    Json metadataJson(Object hadoopConf) throws IOException {
        switch (kind) {
            case CLASSPATH -> {
                String json = siblingJson(resource());
                try (InputStream in = loader().getResourceAsStream(json)) {
                    if (in == null) {
                        throw new PropensityModelException("No metadata for model " + text + ": expected "
                                + PropensityModel.CLASSPATH + json);
                    }
                    return new Json(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                            PropensityModel.CLASSPATH + json);
                }
            }
            case REMOTE -> {
                return new Json(HadoopFiles.readMetadata(URI.create(text), hadoopConf), text);
            }
            default -> {
                Path model = localPath();
                if (!Files.exists(model)) {
                    throw new PropensityModelException("Model not found: " + text);
                }
                Path json = ModelMetadata.pathFor(model);
                if (!Files.exists(json)) {
                    throw new PropensityModelException("No metadata for model " + text + ": expected " + json);
                }
                return new Json(Files.readString(json, StandardCharsets.UTF_8), json.toString());
            }
        }
    }

    /** A metadata file's text and where it was read, for messages. */
    record Json(String text, String where) {}

    /**
     * The model as a local file or directory: a local path as it is; a class path model copied,
     * with its metadata, into the cache; a remote one fetched into the cache.
     *
     * @param hadoopConf an {@code org.apache.hadoop.conf.Configuration} for remote locations, or null
     * @param cache the kit's model cache
     * @return a local path that exists
     */
    Path localize(Object hadoopConf, Path cache) {
        Path local = switch (kind) {
            case CLASSPATH -> fromClassPath(cache.resolve("classpath").resolve(Sha256.of(text)));
            case REMOTE -> fetch(hadoopConf, cache.resolve("remote").resolve(Sha256.of(text)));
            case LOCAL -> localPath();
        };
        if (!Files.exists(local)) {
            throw new PropensityModelException("Model not found: " + text
                    + (text.equals(local.toString()) ? "" : " (looked at " + local + ")")
                    + ". Give a .pt file or a DJL model directory; on a cluster use an hdfs:// or s3a:// URI.");
        }
        return local;
    }

    private Path fetch(Object hadoopConf, Path dir) {
        try {
            return HadoopFiles.copyToLocal(URI.create(text), hadoopConf, dir);
        } catch (IOException e) {
            throw new PropensityModelException("Could not fetch model from " + text + ": " + e.getMessage(), e);
        } catch (NoClassDefFoundError e) {
            throw new PropensityModelException("Loading " + text + " needs Hadoop on the class path (it comes with"
                    + " Spark); for a local model give a plain path.", e);
        }
    }

    /**
     * Copies a model file and its metadata from the class path (the kit jar, or any jar on
     * {@code spark.jars}), so that a note finds it wherever its server runs.
     */
    private Path fromClassPath(Path dir) {
        String name = resource();
        try {
            Files.createDirectories(dir);
            for (String part : List.of(name, siblingJson(name))) {
                try (InputStream in = loader().getResourceAsStream(part)) {
                    if (in == null) {
                        if (part.equals(name)) {
                            throw new PropensityModelException("Model not found: " + text + " (no resource " + name
                                    + " in the kit jar or on the class path). The kit ships"
                                    + " classpath:models/retail_mlp.pt and classpath:models/tiny_mlp.pt.");
                        }
                        continue;
                    }
                    Files.copy(in, dir.resolve(Path.of(part).getFileName().toString()),
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new PropensityModelException("Could not copy " + text + " to " + dir + ": " + e.getMessage(), e);
        }
        return dir.resolve(Path.of(name).getFileName().toString());
    }

    @Override
    public String toString() {
        return text;
    }
}
