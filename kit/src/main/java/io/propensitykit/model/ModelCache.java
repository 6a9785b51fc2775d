package io.propensitykit.model;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One loaded model per JVM and per (location, checksum, metadata): Spark tasks on an executor share
 * it, each with its own predictor. Models stay loaded until {@link #clear()} or JVM exit.
 */
public final class ModelCache {

    private static final Map<String, ZooModel<FeatureBatch, float[]>> MODELS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ModelCache::clear, "propensity-model-cache-close"));
    }

    private ModelCache() {}

    static ZooModel<FeatureBatch, float[]> get(PropensityModel model, LocalSource source) {
        return MODELS.computeIfAbsent(model.cacheKey(), key -> load(model, source.localModel()));
    }

    /** @return how many models this JVM holds */
    public static int size() {
        return MODELS.size();
    }

    /** Closes and forgets every cached model; predictors still open on them must be closed first. */
    public static synchronized void clear() {
        MODELS.values().removeIf(m -> {
            m.close();
            return true;
        });
    }

    private static ZooModel<FeatureBatch, float[]> load(PropensityModel model, Path local) {
        startEngine();
        ModelMetadata meta = model.metadata();
        Criteria.Builder<FeatureBatch, float[]> criteria = Criteria.builder()
                .setTypes(FeatureBatch.class, float[].class)
                .optEngine("PyTorch")
                .optTranslator(new BatchTranslator(meta.name(), meta.output()));
        if (model.format() == ModelFormat.TORCHSCRIPT) {
            String file = local.getFileName().toString();
            criteria.optModelPath(local.getParent()).optModelName(file.endsWith(".pt")
                    ? file.substring(0, file.length() - 3) : file);
        } else {
            criteria.optModelPath(local)
                    .optModelName(model.paramsPrefix())
                    .optBlock(meta.architecture().newBlock());
        }
        try {
            return criteria.build().loadModel();
        } catch (ModelNotFoundException | MalformedModelException | IOException | EngineException e) {
            String what = model.format() == ModelFormat.TORCHSCRIPT
                    ? "a TorchScript file written by torch.jit.save" : "a DJL model directory (NAME-0000.params)";
            throw new PropensityModelException("Could not load model '" + meta.name() + "' from "
                    + model.location() + " (" + local + "): " + rootMessage(e) + ". Expected " + what + ".", e);
        }
    }

    /**
     * Starts the PyTorch engine in this JVM, apart from the model's load, so that a machine that
     * cannot run libtorch is not reported as a bad model file. On a cluster this runs on each
     * executor, which extracts libtorch from the kit's jar into DJL's cache.
     */
    private static void startEngine() {
        EngineDefaults.apply();
        try {
            Engine.getEngine("PyTorch");
        } catch (RuntimeException | LinkageError e) {
            throw new PropensityModelException("The PyTorch engine did not start on this machine ("
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "): " + rootMessage(e)
                    + ". The kit's jar carries libtorch for linux-x86_64 and extracts it to DJL's cache"
                    + " (ENGINE_CACHE_DIR, else DJL_CACHE_DIR, else ~/.djl.ai): that directory must be writable"
                    + " on every executor.", e);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
        // libtorch reports a TorchScript traceback; its last "...Error: ..." line says what failed.
        String[] lines = message.split("\n");
        for (int i = lines.length - 1; i > 0; i--) {
            if (lines[i].matches("\\w*(Error|Exception): .*")) {
                return lines[i].strip();
            }
        }
        return lines[0];
    }

    /** Where the model's files are on this machine, found or written only on a cache miss. */
    @FunctionalInterface
    interface LocalSource {
        Path localModel();
    }
}
