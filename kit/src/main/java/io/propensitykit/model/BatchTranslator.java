package io.propensitykit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

import java.nio.FloatBuffer;

/**
 * Turns a {@link FeatureBatch} into one {@code (rows, features)} tensor and the model's output back
 * into the batch's score array. No NDArray escapes: the predictor's manager closes them all.
 */
final class BatchTranslator implements NoBatchifyTranslator<FeatureBatch, float[]> {

    private static final String BATCH = "propensity.batch";

    private final String modelName;
    private final OutputKind output;

    BatchTranslator(String modelName, OutputKind output) {
        this.modelName = modelName;
        this.output = output;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, FeatureBatch batch) {
        ctx.setAttachment(BATCH, batch);
        Shape shape = new Shape(batch.rows(), batch.width());
        return new NDList(ctx.getNDManager().create(batch.inputBytes(), shape, DataType.FLOAT32));
    }

    @Override
    public float[] processOutput(TranslatorContext ctx, NDList list) {
        FeatureBatch batch = (FeatureBatch) ctx.getAttachment(BATCH);
        int rows = batch.rows();
        if (list.size() != 1) {
            throw new PropensityModelException(
                    "Model '" + modelName + "' returned " + list.size()
                            + " tensors; a propensity model returns one tensor of shape (rows) or (rows, 1).");
        }
        NDArray out = list.get(0);
        Shape shape = out.getShape();
        boolean oneScorePerRow = shape.dimension() == 1 && shape.get(0) == rows
                || shape.dimension() == 2 && shape.get(0) == rows && shape.get(1) == 1;
        if (!oneScorePerRow) {
            throw new PropensityModelException(
                    "Model '" + modelName + "' returned shape " + shape + " for a batch of " + rows
                            + " rows; expected one score per row, shape (" + rows + ") or (" + rows + ", 1).");
        }
        if (out.getDataType() != DataType.FLOAT32) {
            out = out.toType(DataType.FLOAT32, false);
        }
        float[] scores = batch.scores();
        FloatBuffer view = out.toByteBuffer(true).asFloatBuffer();
        view.get(scores, 0, rows);
        // Every score of every batch is checked, not a sample: a wrong one must never be written.
        for (int i = 0; i < rows; i++) {
            float raw = scores[i];
            float p = output == OutputKind.LOGIT ? (float) (1.0 / (1.0 + Math.exp(-raw))) : raw;
            if (!(p >= 0f && p <= 1f)) {
                throw impossible(raw, i);
            }
            scores[i] = p;
        }
        return scores;
    }

    private ImpossibleScoreException impossible(float raw, int row) {
        String what = Float.isNaN(raw) ? "NaN from finite inputs" : raw + ", outside [0, 1]";
        String fix = output == OutputKind.PROBABILITY && !Float.isNaN(raw)
                ? " Its metadata declares \"output\": \"probability\"; if the model returns logits, declare"
                        + " \"output\": \"logit\" in its JSON."
                : " The model is numerically unstable on this row; check its inputs' ranges against training.";
        return new ImpossibleScoreException("Model '" + modelName + "' returned " + what + " as a propensity."
                + fix, row);
    }
}
