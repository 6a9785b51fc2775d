package io.propensitykit.train;

import io.propensitykit.model.EngineDefaults;
import io.propensitykit.model.FeatureProblem;
import io.propensitykit.model.FeatureSpec;
import io.propensitykit.model.ModelMetadata;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A model the {@link PropensityTrainer} fitted: its DJL parameters, its feature spec and its
 * training history. {@link #save} writes a directory the kit's loader reads.
 */
public final class TrainedModel {

    private final byte[] parameters;
    private final byte[] blockParameters;
    private final ModelMetadata metadata;
    private final List<PropensityTrainer.Epoch> history;
    private final long trainingRows;

    TrainedModel(byte[] parameters, byte[] blockParameters, ModelMetadata metadata,
            List<PropensityTrainer.Epoch> history, long trainingRows) {
        this.parameters = parameters;
        this.blockParameters = blockParameters;
        this.metadata = metadata;
        this.history = List.copyOf(history);
        this.trainingRows = trainingRows;
    }

    /**
     * Writes {@code NAME-0000.params} and {@code propensity.json} (architecture, feature spec) into {@code dir}.
     *
     * @param dir a directory, created if needed
     * @return {@code dir}, ready for {@code PropensityModel.load}
     * @throws IOException if it cannot be written
     */
    public Path save(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(metadata.name() + "-0000.params"), parameters);
        metadata.writeFor(dir);
        return dir;
    }

    /**
     * Predicts with the trained parameters directly, as at training time: the spec encodes the rows
     * and the block runs in this JVM, without the saved files or the kit's loader.
     *
     * @param rows raw values in {@code metadata().features()} order
     * @return one probability per row
     */
    public float[] predict(List<Object[]> rows) {
        FeatureSpec spec = metadata.spec();
        int width = spec.width();
        float[] x = new float[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            int base = i * width;
            FeatureProblem problem = spec.encode(rows.get(i), x, base);
            if (problem != null) {
                throw new IllegalArgumentException("Row " + i + ": "
                        + problem.describe("'" + spec.inputColumns().get(problem.feature()) + "'"));
            }
        }
        EngineDefaults.apply();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = metadata.architecture().newBlock();
            block.initialize(manager, DataType.FLOAT32, new Shape(1, width));
            block.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(blockParameters)));
            NDArray logits = block.forward(new ParameterStore(manager, false),
                    new NDList(manager.create(x, new Shape(rows.size(), width))), false).singletonOrThrow();
            float[] z = logits.toFloatArray();
            float[] p = new float[z.length];
            for (int i = 0; i < z.length; i++) {
                p[i] = (float) (1 / (1 + Math.exp(-z[i])));
            }
            return p;
        } catch (IOException | MalformedModelException e) {
            throw new IllegalStateException("Could not rebuild the trained block", e);
        }
    }

    /** @return the model's name, its rows and its best epoch, as a notebook echoes it */
    @Override
    public String toString() {
        PropensityTrainer.Epoch e = best();
        return String.format(java.util.Locale.ROOT, "TrainedModel[%s, %,d rows, %d inputs, best epoch %d: AUC %.4f]",
                metadata.name(), trainingRows, spec().width(), e.epoch(), e.validationAuc());
    }

    /** @return the metadata: features, spec, architecture, output kind */
    public ModelMetadata metadata() {
        return metadata;
    }

    /** @return the feature spec fitted on the training rows */
    public FeatureSpec spec() {
        return metadata.spec();
    }

    /** @return one entry per epoch run: loss, validation AUC */
    public List<PropensityTrainer.Epoch> history() {
        return history;
    }

    /** @return the rows used for fitting (training plus validation) */
    public long trainingRows() {
        return trainingRows;
    }

    /** @return the epoch whose parameters were kept (best validation AUC) */
    public PropensityTrainer.Epoch best() {
        return history.stream().max(java.util.Comparator.comparingDouble(PropensityTrainer.Epoch::validationAuc))
                .orElseThrow();
    }
}
