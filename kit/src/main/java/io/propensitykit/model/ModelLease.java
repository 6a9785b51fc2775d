package io.propensitykit.model;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;

/**
 * A predictor and a feature batch lent by the model's {@link ModelRuntime} to one thread: fill
 * {@link #batch()}, call {@link #predict()}, read the scores, repeat; close it (try-with-resources)
 * to give both back. The runtime keeps the model loaded while any lease is open.
 *
 * <pre>{@code
 * try (ModelLease lease = model.lease(4096)) {
 *     lease.batch().add(RawValues.of(new Object[] {12, 3, 230.5, 14}));
 *     float p = lease.predict()[0];
 * }
 * }</pre>
 */
public final class ModelLease implements AutoCloseable {

    private final ModelRuntime runtime;
    private final Predictor<FeatureBatch, float[]> predictor;
    private final FeatureBatch batch;
    private boolean closed;

    ModelLease(ModelRuntime runtime, Predictor<FeatureBatch, float[]> predictor, FeatureBatch batch) {
        this.runtime = runtime;
        this.predictor = predictor;
        this.batch = batch;
    }

    /** @return the batch this lease predicts; reused after every {@link #predict()} */
    public FeatureBatch batch() {
        return batch;
    }

    /**
     * Scores the batch's rows with one predictor call and clears the batch.
     *
     * @return the batch's score array; entries {@code [0, rows)} are this call's scores
     */
    public float[] predict() {
        if (closed) {
            throw new IllegalStateException("this lease of model '" + runtime.name() + "' is closed");
        }
        if (batch.rows() == 0) {
            return batch.scores();
        }
        try {
            return predictor.predict(batch);
        } catch (TranslateException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof PropensityModelException own) {
                throw own;
            }
            throw new PropensityModelException("Model '" + runtime.name() + "' failed on a batch of " + batch.rows()
                    + " rows x " + batch.width() + " inputs: " + cause.getMessage(), e);
        } finally {
            batch.clear();
        }
    }

    Predictor<FeatureBatch, float[]> predictor() {
        return predictor;
    }

    /** Gives the predictor and the batch back to the runtime; closing twice does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            runtime.giveBack(this);
        }
    }
}
