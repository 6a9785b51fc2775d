package io.propensitykit.model;

import ai.djl.inference.Predictor;
import ai.djl.translate.TranslateException;

/**
 * One predictor and one feature batch for one thread: fill {@link #batch()}, call
 * {@link #predict()}, read the scores, repeat. Close it when the thread's work is done; the model
 * itself stays in the per-JVM cache.
 *
 * <pre>{@code
 * try (ModelScorer scorer = model.newScorer(4096)) {
 *     FeatureBatch batch = scorer.batch();
 *     batch.set(0, 12.0); batch.set(1, 3.0); batch.endRow();
 *     float p = scorer.predict()[0];
 * }
 * }</pre>
 */
public final class ModelScorer implements AutoCloseable {

    private final String modelName;
    private final Predictor<FeatureBatch, float[]> predictor;
    private final FeatureBatch batch;

    ModelScorer(String modelName, Predictor<FeatureBatch, float[]> predictor, FeatureBatch batch) {
        this.modelName = modelName;
        this.predictor = predictor;
        this.batch = batch;
    }

    /** @return the batch this scorer predicts; reused after every {@link #predict()} */
    public FeatureBatch batch() {
        return batch;
    }

    /**
     * Scores the batch's rows with one predictor call and clears the batch.
     *
     * @return the batch's score array; entries {@code [0, rows)} are this call's scores
     */
    public float[] predict() {
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
            throw new PropensityModelException(
                    "Model '" + modelName + "' failed on a batch of " + batch.rows() + " rows x "
                            + batch.features() + " features: " + cause.getMessage(), e);
        } finally {
            batch.clear();
        }
    }

    @Override
    public void close() {
        predictor.close();
        batch.release();
    }
}
