package io.propensitykit.model;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The committed fixtures (made by {@code fixtures/make_fixtures.py}) and a DJL-saved model made here,
 * with reference outputs computed independently of DJL.
 */
public final class Fixtures {

    /** The four features of both fixture models, in order. */
    public static final List<String> FEATURES = List.of("recency", "frequency", "monetary", "tenure");

    private Fixtures() {}

    /** @return the committed fixtures directory */
    public static Path dir() {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/tiny_mlp_expected.csv").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the TorchScript fixture, shipped in the kit jar as {@code classpath:models/tiny_mlp.pt}, its metadata beside it */
    public static Path torchScript() {
        try {
            return Path.of(Fixtures.class.getResource("/models/tiny_mlp.pt").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows of {@code tiny_mlp_expected.csv}: 4 raw features, then torch's probability. */
    public static List<double[]> expectedRows() {
        try {
            List<String> lines = Files.readAllLines(dir().resolve("tiny_mlp_expected.csv"));
            List<double[]> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",");
                double[] row = new double[cells.length - 1];
                for (int i = 1; i < cells.length; i++) {
                    row[i - 1] = Double.parseDouble(cells[i]);
                }
                rows.add(row);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A DJL-saved 4 -> 8 -> 1 MLP with a sigmoid, seeded, written with its metadata.
     *
     * @param dir an empty directory to save into
     * @return the weights of each Linear layer, for {@link #referenceForward}
     */
    public static List<float[][]> saveDjlModel(Path dir) throws IOException {
        MlpArchitecture arch = new MlpArchitecture(List.of(8), "relu", true);
        EngineDefaults.apply();
        Engine.getEngine("PyTorch").setRandomSeed(1234);
        List<float[][]> layers = new ArrayList<>();
        try (Model model = Model.newInstance("tiny_djl", "PyTorch");
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = arch.newBlock();
            model.setBlock(block);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, FEATURES.size()));
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray a = p.getValue().getArray();
                long[] shape = a.getShape().getShape();
                float[] flat = a.toFloatArray();
                int rows = (int) shape[0];
                int cols = shape.length > 1 ? (int) shape[1] : 1;
                float[][] m = new float[rows][cols];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(flat, r * cols, m[r], 0, cols);
                }
                layers.add(m);
            }
            Files.createDirectories(dir);
            model.save(dir, "tiny_djl");
        }
        ModelMetadata.builder()
                .setFeatures(FEATURES)
                .optName("tiny_djl")
                .optFormat(ModelFormat.DJL)
                .optArchitecture(arch)
                .optOutput(OutputKind.PROBABILITY)
                .optStandardization(new double[] {30, 5, 120, 24}, new double[] {20, 3, 80, 12})
                .build()
                .writeFor(dir);
        return layers;
    }

    /**
     * The MLP's forward pass in plain double arithmetic: the independent reference for DJL's output.
     *
     * @param layers weight, bias, weight, bias as returned by {@link #saveDjlModel}
     * @param raw the raw features of one row
     * @return sigmoid(W2 relu(W1 z + b1) + b2) where z is the standardized row
     */
    public static double referenceForward(List<float[][]> layers, double[] raw) {
        double[] mean = {30, 5, 120, 24};
        double[] std = {20, 3, 80, 12};
        double[] x = new double[raw.length];
        for (int j = 0; j < raw.length; j++) {
            x[j] = (raw[j] - mean[j]) / std[j];
        }
        for (int layer = 0; layer < layers.size(); layer += 2) {
            float[][] w = layers.get(layer);
            float[][] b = layers.get(layer + 1);
            double[] y = new double[w.length];
            for (int u = 0; u < w.length; u++) {
                double s = b[u][0];
                for (int j = 0; j < x.length; j++) {
                    s += w[u][j] * x[j];
                }
                y[u] = layer + 2 < layers.size() ? Math.max(0, s) : s;
            }
            x = y;
        }
        return 1 / (1 + Math.exp(-x[0]));
    }
}
