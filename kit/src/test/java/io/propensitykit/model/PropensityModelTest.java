package io.propensitykit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loading, checks and plain-JVM prediction, without Spark. */
class PropensityModelTest {

    /** Tolerance against torch's float32 outputs recorded by make_fixtures.py. */
    private static final double TOL = 1e-5;

    @Test
    void torchScriptMatchesPythonOutputs() {
        PropensityModel model = PropensityModel.load(Fixtures.torchScript().toString());
        assertEquals(ModelFormat.TORCHSCRIPT, model.format());
        assertEquals(Fixtures.FEATURES, model.features());
        List<double[]> rows = Fixtures.expectedRows();
        double[][] inputs = rows.stream().map(r -> java.util.Arrays.copyOf(r, 4)).toArray(double[][]::new);
        float[] scores = model.predict(inputs);
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(rows.get(i)[4], scores[i], TOL, "row " + i);
        }
    }

    @Test
    void djlSavedModelMatchesPlainJavaForwardPass(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("tiny_djl");
        List<float[][]> layers = Fixtures.saveDjlModel(dir);
        PropensityModel model = PropensityModel.load(dir.toString());
        assertEquals(ModelFormat.DJL, model.format());
        double[][] inputs = Fixtures.expectedRows().stream().map(r -> java.util.Arrays.copyOf(r, 4))
                .toArray(double[][]::new);
        float[] scores = model.predict(inputs);
        for (int i = 0; i < inputs.length; i++) {
            assertEquals(Fixtures.referenceForward(layers, inputs[i]), scores[i], TOL, "row " + i);
        }
    }

    @Test
    void fileUriLoadsLikeAPath() throws IOException {
        PropensityModel model = PropensityModel.load(Fixtures.torchScript().toUri().toString());
        // The pin in tiny_mlp.json was computed by Python's hashlib when the fixture was written.
        String pinned = ModelMetadata.read(Fixtures.torchScript().resolveSibling("tiny_mlp.json")).sha256();
        assertEquals(pinned, model.sha256());
    }

    @Test
    void hadoopFileSystemCopiesTheModelAndItsMetadata(@TempDir Path tmp) throws IOException {
        // The path hdfs: and s3a: take, exercised with Hadoop's local file system.
        Path local = HadoopFiles.copyToLocal(Fixtures.torchScript().toUri(), null, tmp);
        assertEquals(tmp.resolve("tiny_mlp.pt"), local);
        assertTrue(Files.exists(tmp.resolve("tiny_mlp.json")));
        PropensityModel model = PropensityModel.load(local.toString());
        double[] row = java.util.Arrays.copyOf(Fixtures.expectedRows().get(3), 4);
        assertEquals(Fixtures.expectedRows().get(3)[4], model.predict(row)[0], TOL);
    }

    @Test
    void unknownSchemeSaysWhatIsMissing() {
        PropensityModelException e = assertThrows(PropensityModelException.class,
                () -> PropensityModel.load("nosuchfs://bucket/churn.pt"));
        assertTrue(e.getMessage().startsWith("Could not fetch model from nosuchfs://bucket/churn.pt: No file system"),
                e.getMessage());
    }

    @Test
    void twoOutputsPerRowFailTheShapeCheck() {
        Path pt = Fixtures.dir().resolve("two_outputs.pt");
        PropensityModelException e = assertThrows(PropensityModelException.class,
                () -> PropensityModel.load(pt.toString()));
        assertTrue(e.getMessage().contains("Model 'two_outputs' returned shape (2, 2) for a batch of 2 rows;"
                + " expected one score per row, shape (2) or (2, 1)."), e.getMessage());
    }

    @Test
    void missingFileNamesThePath(@TempDir Path tmp) {
        String where = tmp.resolve("nope.pt").toString();
        PropensityModelException e = assertThrows(PropensityModelException.class, () -> PropensityModel.load(where));
        assertTrue(e.getMessage().startsWith("Model not found: " + where), e.getMessage());
    }

    @Test
    void corruptFileSaysWhatWasExpected(@TempDir Path tmp) throws IOException {
        Path pt = tmp.resolve("broken.pt");
        Files.write(pt, "this is not a zip archive".getBytes());
        ModelMetadata.builder().setFeatures(Fixtures.FEATURES).optName("broken").build().writeFor(pt);
        PropensityModelException e = assertThrows(PropensityModelException.class,
                () -> PropensityModel.load(pt.toString()));
        assertTrue(e.getMessage().contains("Could not load model 'broken' from " + pt), e.getMessage());
        assertTrue(e.getMessage().contains("Expected a TorchScript file written by torch.jit.save"), e.getMessage());
    }

    @Test
    void checksumMismatchFailsBeforeLoading(@TempDir Path tmp) throws IOException {
        String wrong = "0".repeat(64);
        PropensityModelException e = assertThrows(PropensityModelException.class, () -> PropensityModel.builder()
                .setLocation(Fixtures.torchScript().toString()).optSha256(wrong).build());
        assertTrue(e.getMessage().contains("Checksum mismatch for model 'tiny_mlp'"), e.getMessage());
        assertTrue(e.getMessage().contains("expected sha256 " + wrong + " (given to optSha256), found 250fcc64"),
                e.getMessage());
    }

    @Test
    void featureCountMismatchFailsTheSmokePrediction(@TempDir Path tmp) throws IOException {
        Path pt = Files.copy(Fixtures.torchScript(), tmp.resolve("five.pt"));
        ModelMetadata.builder().setFeatures(List.of("a", "b", "c", "d", "e")).optName("five")
                .optOutput(OutputKind.LOGIT).build().writeFor(pt);
        PropensityModelException e = assertThrows(PropensityModelException.class,
                () -> PropensityModel.load(pt.toString()));
        assertTrue(e.getMessage().contains("Model 'five' at " + pt + " failed its smoke prediction with 5 features"
                + " [a, b, c, d, e]"), e.getMessage());
        assertTrue(e.getMessage().contains("2x5"), "the libtorch cause names the shapes: " + e.getMessage());
    }

    @Test
    void logitDeclaredAsProbabilityIsCaught(@TempDir Path tmp) throws IOException {
        Path pt = Files.copy(Fixtures.torchScript(), tmp.resolve("raw.pt"));
        // Zeros in standardized space are far from the fixture's means, so its logit leaves [0, 1].
        ModelMetadata.builder().setFeatures(Fixtures.FEATURES).optName("raw").optOutput(OutputKind.PROBABILITY)
                .build().writeFor(pt);
        float logit = PropensityModel.builder().setLocation(pt.toString()).optMetadata(
                ModelMetadata.builder().setFeatures(Fixtures.FEATURES).optOutput(OutputKind.LOGIT).build())
                .build().predict(new double[4])[0];
        double rawLogit = Math.log(logit / (1 - logit));
        if (rawLogit >= 0 && rawLogit <= 1) {
            return; // this model's output happens to look like a probability: nothing to catch
        }
        PropensityModelException e = assertThrows(PropensityModelException.class,
                () -> PropensityModel.load(pt.toString()));
        assertTrue(e.getMessage().contains("declare \"output\": \"logit\""), e.getMessage());
    }

    @Test
    void missingMetadataSaysHowToWriteIt(@TempDir Path tmp) throws IOException {
        Path pt = Files.copy(Fixtures.torchScript(), tmp.resolve("bare.pt"));
        PropensityModelException e = assertThrows(PropensityModelException.class,
                () -> PropensityModel.load(pt.toString()));
        assertTrue(e.getMessage().contains("expected " + tmp.resolve("bare.json")), e.getMessage());
        ModelMetadata.builder().setFeatures(Fixtures.FEATURES).optOutput(OutputKind.LOGIT)
                .optStandardization(new double[] {30, 5, 120, 24}, new double[] {20, 3, 80, 12})
                .build().writeFor(pt);
        double[] row = java.util.Arrays.copyOf(Fixtures.expectedRows().get(0), 4);
        assertEquals(Fixtures.expectedRows().get(0)[4], PropensityModel.load(pt.toString()).predict(row)[0], TOL);
    }

    @Test
    void metadataRoundTripsThroughJson() {
        ModelMetadata meta = ModelMetadata.builder().setFeatures(Fixtures.FEATURES).optName("m").optVersion("7")
                .optOutput(OutputKind.LOGIT).optFormat(ModelFormat.DJL)
                .optArchitecture(new MlpArchitecture(List.of(16, 8), "tanh", false))
                .optStandardization(new double[] {1, 2, 3, 4}, new double[] {1, 1, 2, 2})
                .optSha256("A".repeat(64)).build();
        ModelMetadata back = ModelMetadata.fromJson(meta.toJson());
        assertEquals(meta, back);
        assertEquals("a".repeat(64), back.sha256());
        assertEquals(List.of(16, 8), back.architecture().hidden());
    }

    @Test
    void badMetadataNamesTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelMetadata.fromJson("{\"features\": [\"a\"], \"output\": \"odds\"}"));
        assertTrue(e.getMessage().contains("Unknown output kind 'odds'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelMetadata.fromJson("{\"name\": \"x\"}"));
        assertEquals("the field 'features' is missing", e.getMessage());
    }
}
