package io.propensitykit.train;

import io.propensitykit.model.FeatureProblem;
import io.propensitykit.model.FeatureSpec;
import io.propensitykit.model.MlpArchitecture;
import io.propensitykit.model.ModelFormat;
import io.propensitykit.model.ModelMetadata;
import io.propensitykit.model.OutputKind;

import ai.djl.Model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The steps both algorithms share: encoding the rows, the metadata, and the parameters' bytes. */
final class FitSupport {

    private FitSupport() {}

    /**
     * Encodes rows in the given order into one row-major block, refusing a row the spec cannot encode.
     *
     * @param spec the fitted spec
     * @param raw raw values per row
     * @param order which row goes where (row {@code order[i]} becomes row {@code i})
     * @return {@code order.length * spec.width()} floats
     */
    static float[] encode(FeatureSpec spec, List<Object[]> raw, int[] order) {
        int width = spec.width();
        float[] x = new float[order.length * width];
        for (int i = 0; i < order.length; i++) {
            FeatureProblem problem = spec.encode(raw.get(order[i]), x, i * width);
            if (problem != null) {
                throw new IllegalArgumentException("Row " + order[i] + ": "
                        + problem.describe("column '" + spec.inputColumns().get(problem.feature()) + "'"));
            }
        }
        return x;
    }

    /** @return 0, 1, ..., n - 1 */
    static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** The metadata of a model trained by the kit: its raw columns, spec and architecture, a logit out. */
    static ModelMetadata metadata(String name, FeatureSpec spec, MlpArchitecture arch) {
        return ModelMetadata.builder().setFeatures(spec.inputColumns()).optName(name).optFormat(ModelFormat.DJL)
                .optArchitecture(arch).optOutput(OutputKind.LOGIT).optSpec(spec).build();
    }

    /** The block's parameters as bytes, to keep the best epoch without a file. */
    static byte[] parameters(Model model) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            model.getBlock().saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static void restore(Model model, byte[] parameters) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
            model.getBlock().loadParameters(model.getNDManager(), in);
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalStateException("Could not restore the best epoch's parameters", e);
        }
    }

    /** The bytes of DJL's own {@code NAME-0000.params}, as {@code Model.save} writes them. */
    static byte[] savedParams(Model model) {
        try {
            Path dir = Files.createTempDirectory("kit-train-");
            try {
                model.save(dir, model.getName());
                return Files.readAllBytes(dir.resolve(model.getName() + "-0000.params"));
            } finally {
                try (Stream<Path> files = Files.list(dir)) {
                    files.forEach(p -> p.toFile().delete());
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not serialize the trained model", e);
        }
    }
}
