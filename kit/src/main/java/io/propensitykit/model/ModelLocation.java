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
import java.util.stream.Stream;

/**
 * Where a model is, read once: {@code classpath:NAME} (a model shipped in a jar), a Hadoop URI
 * ({@code hdfs:}, {@code s3a:}, ...), or a local path or {@code file:} URI. It knows the rules every
 * reader of a model follows: where the metadata JSON sits beside a model file, which class loader
 * holds the class path's models, and how a remote or shipped model becomes a local file; and, once
 * local, what the model's files must be (its metadata, a DJL directory's one params file, the
 * weights' pinned checksum).
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
        if (name.isBlank() || name.endsWith("/")) {
            throw new PropensityModelException("Model location " + text + " names no file: give the resource, for"
                    + " example classpath:models/retail_mlp.pt.");
        }
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

    /**
     * The metadata of a localized model: its JSON beside the file or inside the directory. A directory
     * of {@code .pt} files without {@code propensity.json} is told apart from a DJL model directory.
     */
    static ModelMetadata metadataIn(String location, Path local) {
        Path json = ModelMetadata.pathFor(local);
        if (!Files.exists(json) && Files.isDirectory(local)) {
            List<String> pt = listPt(local);
            if (!pt.isEmpty()) {
                throw new PropensityModelException("Model directory " + location + " holds " + pt + " but no "
                        + ModelMetadata.DIRECTORY_FILE_NAME + ", so it is not a DJL model directory. For a"
                        + " TorchScript model pass the .pt file itself, with its metadata beside it ("
                        + ModelMetadata.pathFor(local.resolve(pt.get(0))).getFileName() + ").");
            }
        }
        if (!Files.exists(json)) {
            throw new PropensityModelException("No metadata for model " + location + ": expected " + json
                    + ". Write it once with ModelMetadata.builder().setFeatures(List.of(...)).build().writeFor(path),"
                    + " or pass it with optMetadata(...).");
        }
        try {
            return ModelMetadata.read(json);
        } catch (IOException | IllegalArgumentException e) {
            throw new PropensityModelException(e.getMessage(), e);
        }
    }

    private static List<String> listPt(Path dir) {
        try (var files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".pt")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The one {@code NAME-NNNN.params} file of a localized DJL model directory. */
    static Path paramsFile(String location, Path dir, ModelMetadata meta) {
        List<Path> params;
        try (Stream<Path> list = Files.list(dir)) {
            params = list.filter(p -> p.getFileName().toString().matches(".+-\\d{4}\\.params")).sorted().toList();
        } catch (IOException e) {
            throw new PropensityModelException("Could not list model directory " + dir + ": " + e.getMessage(), e);
        }
        if (params.size() != 1) {
            throw new PropensityModelException("Model '" + meta.name() + "' at " + location
                    + " should hold exactly one NAME-NNNN.params file, found " + params.size()
                    + (params.isEmpty() ? "" : ": " + params));
        }
        return params.get(0);
    }

    /**
     * The weights file's sha256, checked against a pin when there is one.
     *
     * @param pinnedWhere where the pin came from, for the message
     * @throws PropensityModelException when the file cannot be read or its checksum differs
     */
    static String checkedSha256(String location, String modelName, Path weights, String pin, String pinnedWhere) {
        String actual;
        try {
            actual = Sha256.of(weights);
        } catch (IOException e) {
            throw new PropensityModelException("Could not read model file " + weights + ": " + e.getMessage(), e);
        }
        if (pin != null && !pin.equals(actual)) {
            throw new PropensityModelException("Checksum mismatch for model '" + modelName + "' at " + location
                    + ": expected sha256 " + pin + " (" + pinnedWhere + "), found " + actual + " for " + weights
                    + ". The file changed since it was pinned: restore it, or pin the new checksum.");
        }
        return actual;
    }

    /** The most a TorchScript archive may inflate to, in MB ({@code -Dpropensity.model.maxInflatedMb}). */
    static final long MAX_INFLATED_MB = Long.getLong("propensity.model.maxInflatedMb", 4096);

    /**
     * A TorchScript file is a zip archive that libtorch inflates whole into memory. PyTorch stores its
     * entries uncompressed, so an entry that inflates a hundredfold to tens of megabytes, or a total
     * above {@link #MAX_INFLATED_MB}, is refused from the archive's directory before libtorch reads it.
     * A DJL params file is no archive and passes.
     *
     * @throws PropensityModelException naming the entry and the sizes
     */
    static void requireBoundedArchive(String location, String modelName, Path weights) {
        long total = 0;
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(weights.toFile())) {
            for (var entries = zip.entries(); entries.hasMoreElements();) {
                java.util.zip.ZipEntry e = entries.nextElement();
                long size = Math.max(0, e.getSize());
                total += size;
                if (size > (64L << 20) && e.getCompressedSize() > 0 && size / e.getCompressedSize() >= 100) {
                    throw new PropensityModelException(String.format(java.util.Locale.ROOT, "Model '%s' at %s: entry"
                            + " %s of %s inflates %,d-fold to %,d MB. PyTorch stores a model's tensors uncompressed;"
                            + " this is not a model file the kit loads.", modelName, location, e.getName(),
                            weights.getFileName(), size / e.getCompressedSize(), size >> 20));
                }
            }
        } catch (IOException notAZip) {
            return; // not an archive: libtorch says what it is
        }
        if (total > MAX_INFLATED_MB << 20) {
            throw new PropensityModelException(String.format(java.util.Locale.ROOT, "Model '%s' at %s inflates to"
                    + " %,d MB, above the kit's cap of %,d MB (-Dpropensity.model.maxInflatedMb raises it).",
                    modelName, location, total >> 20, MAX_INFLATED_MB));
        }
    }

    /** Where models fetched from remote locations or shipped to executors are kept on local disk. */
    static Path cacheRoot() {
        String dir = System.getProperty("propensity.cache.dir");
        return dir != null ? Path.of(dir) : Path.of(System.getProperty("java.io.tmpdir"), "propensity-kit");
    }
}
