package io.propensitykit.model;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The bytes of a model's files, small enough to broadcast, so that executors can score a model
 * that only the driver can see (a local path, a notebook's working directory).
 */
public final class ModelFiles implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String weightsName;
    private final Map<String, byte[]> files;

    private ModelFiles(String weightsName, Map<String, byte[]> files) {
        this.weightsName = weightsName;
        this.files = files;
    }

    /**
     * Reads a model file, or every regular file of a model directory.
     *
     * @param model the local model file or directory
     * @return the bytes by file name
     * @throws IOException if a file cannot be read
     */
    static ModelFiles read(Path model) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (Files.isDirectory(model)) {
            try (Stream<Path> list = Files.list(model)) {
                for (Path p : (Iterable<Path>) list.filter(Files::isRegularFile).sorted()::iterator) {
                    files.put(p.getFileName().toString(), Files.readAllBytes(p));
                }
            }
            return new ModelFiles(null, files);
        }
        files.put(model.getFileName().toString(), Files.readAllBytes(model));
        return new ModelFiles(model.getFileName().toString(), files);
    }

    /**
     * Writes the files under {@code dir}, atomically per file, unless they are there already.
     *
     * @param dir a directory private to this model's checksum
     * @return the model file, or {@code dir} for a model directory
     * @throws IOException if writing fails
     */
    Path materialize(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path target = dir.resolve(e.getKey());
            if (!Files.exists(target)) {
                Path tmp = Files.createTempFile(dir, ".part-", "");
                Files.write(tmp, e.getValue());
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return weightsName == null ? dir : dir.resolve(weightsName);
    }
}
