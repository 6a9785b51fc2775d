package io.propensitykit.model;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one owner of a loaded model in this JVM (a driver or an executor): it holds the native model
 * and the feature batches, lends them out as {@link ModelLease}s, and closes the model only once no
 * lease is open. Runtimes live in the one registry of the kit, keyed by the model's location,
 * checksum and metadata, so Spark tasks on an executor share one loaded model, each with its own
 * predictor. This is the executor side of a {@link PropensityModel}, for the kit's Spark front ends:
 * a user holds the model, and its front ends lease from its runtime.
 *
 * <pre>{@code
 * try (ModelLease lease = ModelRuntime.lease(model, 4096)) { ... }   // finds or loads the model's runtime
 * ModelRuntime.clear();                                // unload all: each model closes when its last lease does
 * }</pre>
 */
public final class ModelRuntime {

    /** The kit's one registry of loaded models. */
    private static final Map<String, ModelRuntime> RUNTIMES = new ConcurrentHashMap<>();
    /** Idle batches kept for reuse per runtime; more are freed when returned. */
    private static final int IDLE_LIMIT = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ModelRuntime::clear, "propensity-model-runtime-close"));
    }

    private final String name;
    private final ZooModel<FeatureBatch, float[]> model;
    private final FeatureEncoder encoder;
    private final ArrayDeque<FeatureBatch> idle = new ArrayDeque<>();
    private final Map<Long, ModelLease> taskLeases = new HashMap<>();
    private int open;
    private boolean retired;
    private boolean closed;

    private ModelRuntime(String name, ZooModel<FeatureBatch, float[]> model, FeatureEncoder encoder) {
        this.name = name;
        this.model = model;
        this.encoder = encoder;
    }

    /** The model's runtime in this JVM, loading the model on first use. */
    static ModelRuntime of(PropensityModel model, LocalSource source) {
        return RUNTIMES.computeIfAbsent(model.cacheKey(), key -> new ModelRuntime(model.metadata().name(),
                load(model, source.localModel()), model.metadata().encoding().encoder()));
    }


    /**
     * How executors get the model's files, shipped once per handle (on Spark, a broadcast) and
     * released when the handle is closed. It travels inside the tasks, so it is serializable.
     */
    public interface Shipment extends Serializable, AutoCloseable {
        /** @return the model's files, wherever this runs */
        ModelFiles files();

        /** @return whether the shipment can still be read (its Spark context has not stopped) */
        boolean isLive();

        /** Releases the shipment everywhere (on Spark, destroys the broadcast). */
        @Override
        void close();
    }

    /**
     * Lends a predictor and a batch of the model in this JVM, loading it first if this JVM has not:
     * for the driver, where the model was loaded.
     *
     * @param model the model
     * @param batchSize the most rows one {@link ModelLease#predict()} call takes
     * @return a lease for the calling thread; close it when done
     */
    public static ModelLease lease(PropensityModel model, int batchSize) {
        return model.lease(batchSize);
    }

    /**
     * Lends a predictor and a batch, materializing the model from its shipment when its files are not
     * on this machine: for executors.
     *
     * @param model the model
     * @param batchSize the most rows one {@link ModelLease#predict()} call takes
     * @param shipment the model's files, read only when this JVM loads the model away from the driver
     * @return a lease for the calling thread; close it when done
     */
    public static ModelLease lease(PropensityModel model, int batchSize, Shipment shipment) {
        return model.lease(batchSize, shipment::files);
    }

    /**
     * The model's runtime in this JVM, loaded on first use, from its shipment away from the driver.
     *
     * @param model the model
     * @param shipment the model's files
     * @return the runtime
     */
    public static ModelRuntime of(PropensityModel model, Shipment shipment) {
        return model.runtime(shipment::files);
    }

    /**
     * The model's files shipped for executors: the first call ships them with {@code ship}, later
     * calls reuse that shipment while it is live; closing the model releases it.
     *
     * @param model the model, loaded on this driver
     * @param ship ships the files, for example as a Spark broadcast
     * @return the model's shipment
     */
    public static Shipment ship(PropensityModel model, java.util.function.Function<ModelFiles, Shipment> ship) {
        return model.shipment(ship);
    }

    /** @return how many models this JVM holds loaded and registered */
    public static int loaded() {
        return RUNTIMES.size();
    }

    /**
     * Unregisters every model. Each closes now if no lease of it is open, else when its last lease
     * closes: clearing never pulls a model from under a running predictor. The next lease of a
     * model loads it again.
     */
    public static void clear() {
        for (String key : RUNTIMES.keySet()) {
            unload(key);
        }
    }

    /**
     * Unregisters one model, which closes now if no lease of it is open, else when its last lease
     * closes; a no-op when it is not loaded.
     *
     * @param cacheKey the model's {@link PropensityModel#cacheKey()}
     */
    static void unload(String cacheKey) {
        ModelRuntime runtime = RUNTIMES.remove(cacheKey);
        if (runtime != null) {
            runtime.retire();
        }
    }

    String name() {
        return name;
    }

    /**
     * Lends a predictor and a batch of {@code batchSize} rows.
     *
     * @param batchSize the most rows one prediction takes
     * @return the lease (close it to give both back), or null when the runtime was unloaded meanwhile
     */
    synchronized ModelLease lease(int batchSize) {
        if (closed) {
            return null;
        }
        FeatureBatch batch = null;
        for (Iterator<FeatureBatch> it = idle.iterator(); it.hasNext();) {
            FeatureBatch b = it.next();
            if (b.capacity() == batchSize) {
                it.remove();
                batch = b;
                break;
            }
        }
        if (batch == null) {
            batch = new FeatureBatch(encoder, batchSize);
        }
        open++;
        return new ModelLease(this, model.newPredictor(), batch);
    }

    /**
     * The one lease of this model for a task attempt, opened on the first call: for front ends that
     * score a row at a time. The caller closes it when the task completes, through {@link #endTask}.
     *
     * @param taskAttemptId Spark's task attempt id
     * @param opened told the new lease when one was opened, to arrange its closing
     * @return the task's lease
     */
    public synchronized ModelLease taskLease(long taskAttemptId, java.util.function.Consumer<Long> opened) {
        ModelLease lease = taskLeases.get(taskAttemptId);
        if (lease == null) {
            lease = lease(1);
            if (lease == null) {
                throw new IllegalStateException("model '" + name + "' was unloaded while a task was scoring with it");
            }
            taskLeases.put(taskAttemptId, lease);
            opened.accept(taskAttemptId);
        }
        return lease;
    }

    /**
     * Closes the lease a task attempt holds, if any.
     *
     * @param taskAttemptId Spark's task attempt id
     */
    public void endTask(long taskAttemptId) {
        ModelLease lease;
        synchronized (this) {
            lease = taskLeases.remove(taskAttemptId);
        }
        if (lease != null) {
            lease.close();
        }
    }

    synchronized void giveBack(ModelLease lease) {
        lease.predictor().close();
        FeatureBatch batch = lease.batch();
        batch.clear();
        if (idle.size() < IDLE_LIMIT && !retired) {
            idle.push(batch);
        }
        open--;
        closeIfDone();
    }

    /** @return the leases open now */
    synchronized int openLeases() {
        return open;
    }

    /** @return whether the native model is closed */
    synchronized boolean isClosed() {
        return closed;
    }

    private synchronized void retire() {
        retired = true;
        idle.clear();
        closeIfDone();
    }

    private void closeIfDone() {
        if (retired && open == 0 && !closed) {
            closed = true;
            model.close();
        }
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
