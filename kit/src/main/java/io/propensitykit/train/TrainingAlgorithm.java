package io.propensitykit.train;

import java.util.List;

/**
 * What a {@link PropensityTrainer} fits: the DJL MLP ({@link MlpFit}) or the logistic regression
 * ({@link LogisticFit}). Both take the trainer's raw rows and labels and give a model the kit scores
 * through the same path.
 */
interface TrainingAlgorithm {

    /**
     * Fits the feature spec and the model.
     *
     * @param settings the trainer: columns, seed, name, progress and the algorithm's own settings
     * @param raw raw values, one array per row, numeric columns first
     * @param labels 0/1 per row
     * @return the trained model
     */
    TrainedModel train(PropensityTrainer settings, List<Object[]> raw, float[] labels);
}
