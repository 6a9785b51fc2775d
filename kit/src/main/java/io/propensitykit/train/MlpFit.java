package io.propensitykit.train;

import io.propensitykit.metrics.BinaryMetrics;
import io.propensitykit.model.EngineDefaults;
import io.propensitykit.model.FeatureSpec;
import io.propensitykit.model.MlpArchitecture;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The DJL MLP: a seeded split into validation and training rows (the spec is fitted on the
 * training rows only), Adam on a weighted logistic loss, each epoch's loss and validation AUC,
 * early stopping on the validation AUC, and the best epoch's parameters kept.
 */
final class MlpFit implements TrainingAlgorithm {

    private final List<Integer> hidden;
    private final int epochs;
    private final int batchSize;
    private final float learningRate;
    private final double positiveWeight;
    private final boolean balanced;
    private final double validationFraction;
    private final int patience;

    MlpFit(List<Integer> hidden, int epochs, int batchSize, float learningRate, double positiveWeight,
            boolean balanced, double validationFraction, int patience) {
        this.hidden = List.copyOf(hidden);
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.learningRate = learningRate;
        this.positiveWeight = positiveWeight;
        this.balanced = balanced;
        this.validationFraction = validationFraction;
        this.patience = patience;
    }

    /** The encoded rows, validation rows first, in the seeded order. */
    private record Split(FeatureSpec spec, float[] x, float[] y, int validationRows) {
        int width() {
            return spec.width();
        }

        int rows() {
            return y.length;
        }
    }

    @Override
    public TrainedModel train(PropensityTrainer settings, List<Object[]> raw, float[] labels) {
        Split data = split(settings, raw, labels);
        int trainRows = data.rows() - data.validationRows();
        double positives = 0;
        for (int i = data.validationRows(); i < data.rows(); i++) {
            positives += data.y()[i];
        }
        float wPos = (float) (balanced ? (trainRows - positives) / Math.max(positives, 1) : positiveWeight);
        EngineDefaults.apply();
        Engine.getEngine("PyTorch").setRandomSeed((int) settings.seed());
        MlpArchitecture arch = new MlpArchitecture(hidden, "relu", false);
        try (Model model = Model.newInstance(settings.name(), "PyTorch")) {
            model.setBlock(arch.newBlock());
            DefaultTrainingConfig config = new DefaultTrainingConfig(new WeightedLogitLoss(wPos))
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate)).build());
            List<PropensityTrainer.Epoch> history = new ArrayList<>();
            byte[] best;
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, data.width()));
                best = epochs(settings, model, trainer, data, history);
            }
            FitSupport.restore(model, best);
            return new TrainedModel(FitSupport.savedParams(model), best,
                    FitSupport.metadata(settings.name(), data.spec(), arch), history, data.rows());
        }
    }

    /** Shuffles the rows with the seed, holds the first share out for validation, fits the spec on the rest. */
    private Split split(PropensityTrainer settings, List<Object[]> raw, float[] labels) {
        int n = raw.size();
        int[] order = FitSupport.identity(n);
        shuffle(order, new Random(settings.seed()));
        int validationRows = (int) Math.round(n * validationFraction);
        if (validationRows < 1 || n - validationRows < 1) {
            throw new IllegalArgumentException("Need rows for both training and validation; got " + n + " rows");
        }
        List<Object[]> trainRaw = new ArrayList<>();
        for (int i = validationRows; i < n; i++) {
            trainRaw.add(raw.get(order[i]));
        }
        FeatureSpec spec = settings.spec(trainRaw);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels[order[i]];
        }
        return new Split(spec, FitSupport.encode(spec, raw, order), y, validationRows);
    }

    /** Trains epoch after epoch until the last or until the validation AUC stops improving. */
    private byte[] epochs(PropensityTrainer settings, Model model, Trainer trainer, Split data,
            List<PropensityTrainer.Epoch> history) {
        Random shuffles = new Random(settings.seed() + 1);
        int[] rows = new int[data.rows() - data.validationRows()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = data.validationRows() + i;
        }
        float[] bx = new float[batchSize * data.width()];
        float[] by = new float[batchSize];
        byte[] best = null;
        double bestAuc = -1;
        int bestEpoch = 0;
        int sinceBest = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long t0 = System.nanoTime();
            shuffle(rows, shuffles);
            double loss = epoch(trainer, data, rows, bx, by);
            double auc = validationAuc(trainer, data);
            PropensityTrainer.Epoch e = new PropensityTrainer.Epoch(epoch, loss, auc, (System.nanoTime() - t0) / 1e9);
            history.add(e);
            settings.progress().accept(String.format(Locale.ROOT, "epoch %d/%d: loss %.4f, validation AUC %.4f,"
                    + " %.1f s", epoch, epochs, e.trainLoss(), auc, e.seconds()));
            if (auc > bestAuc + 1e-5) {
                bestAuc = auc;
                bestEpoch = epoch;
                best = FitSupport.parameters(model);
                sinceBest = 0;
            } else if (++sinceBest >= patience) {
                settings.progress().accept("early stop: no validation AUC gain in " + patience
                        + " epochs; keeping epoch " + bestEpoch);
                break;
            }
        }
        return best;
    }

    /** One pass over the training rows in batches, through the caller's batch buffers; the mean batch loss. */
    private double epoch(Trainer trainer, Split data, int[] rows, float[] bx, float[] by) {
        int width = data.width();
        double lossSum = 0;
        int batches = 0;
        for (int start = 0; start < rows.length; start += batchSize) {
            int b = Math.min(batchSize, rows.length - start);
            for (int k = 0; k < b; k++) {
                System.arraycopy(data.x(), rows[start + k] * width, bx, k * width, width);
                by[k] = data.y()[rows[start + k]];
            }
            try (NDManager m = trainer.getManager().newSubManager()) {
                NDArray input = m.create(FloatBuffer.wrap(bx, 0, b * width), new Shape(b, width));
                NDArray target = m.create(FloatBuffer.wrap(by, 0, b), new Shape(b));
                try (GradientCollector gc = trainer.newGradientCollector()) {
                    NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
                    NDArray loss = trainer.getLoss().evaluate(new NDList(target), new NDList(logits));
                    gc.backward(loss);
                    lossSum += loss.getFloat();
                }
                trainer.step();
            }
            batches++;
        }
        return lossSum / batches;
    }

    private static double validationAuc(Trainer trainer, Split data) {
        int validationRows = data.validationRows();
        int width = data.width();
        double[] scores = new double[validationRows];
        boolean[] positive = new boolean[validationRows];
        int chunk = 8192;
        for (int start = 0; start < validationRows; start += chunk) {
            int b = Math.min(chunk, validationRows - start);
            try (NDManager m = trainer.getManager().newSubManager()) {
                NDArray input = m.create(FloatBuffer.wrap(data.x(), start * width, b * width), new Shape(b, width));
                float[] logits = trainer.evaluate(new NDList(input)).singletonOrThrow().toFloatArray();
                for (int k = 0; k < b; k++) {
                    scores[start + k] = logits[k];
                    positive[start + k] = data.y()[start + k] == 1f;
                }
            }
        }
        return BinaryMetrics.rocAuc(scores, positive);
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
