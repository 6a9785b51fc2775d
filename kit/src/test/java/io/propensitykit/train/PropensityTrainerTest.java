package io.propensitykit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.metrics.BinaryMetrics;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.spark.Propensity;

import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Training in Java on generated customers: the MLP gets close to the truth and beats MLlib's
 * logistic regression on the same encoded features, and the saved model scores in Spark exactly
 * as it predicted at training time.
 */
class PropensityTrainerTest extends SharedSpark {

    private static final List<String> NUMERIC = List.of("tenure_months", "recency_days", "frequency", "monetary",
            "email_open_rate", "past_electronics", "past_fashion", "past_home");
    private static final List<String> CATEGORICAL = List.of("channel", "region", "device");

    private static double auc(List<Row> rows, int scoreCol, int labelCol) {
        double[] s = new double[rows.size()];
        boolean[] y = new boolean[rows.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = rows.get(i).getDouble(scoreCol);
            y[i] = rows.get(i).getInt(labelCol) == 1;
        }
        return BinaryMetrics.rocAuc(s, y);
    }

    @Test
    void mlpNearsTheTruthAndBeatsLogisticRegression(@TempDir Path tmp) throws Exception {
        Dataset<Row> all = RetailGenerator.builder().optRows(200_000).optSeed(5).build().generate(spark).cache();
        Dataset<Row> train = all.where("customer_id % 10 < 8");
        Dataset<Row> test = all.where("customer_id % 10 >= 8");
        List<String> lines = new ArrayList<>();
        TrainedModel trained = PropensityTrainer.builder().setNumeric(NUMERIC).setCategorical(CATEGORICAL)
                .optLogTransform(List.of("tenure_months", "recency_days", "frequency", "monetary"))
                .setLabel("purchased").optHidden(List.of(64, 32)).optEpochs(80).optPatience(15).optBatchSize(256)
                .optValidationFraction(0.1)
                .optSeed(1).optProgress(lines::add).build().fit(train);
        assertTrue(lines.get(0).startsWith("training on 160,"), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("epoch 1/80: loss ")), String.join("\n", lines));

        PropensityModel model = Propensity.load(spark, trained.save(tmp.resolve("mlp")).toString());
        List<Row> scored = Propensity.score(test, model).select("propensity", "true_propensity", "purchased")
                .collectAsList();
        double mlpAuc = auc(scored, 0, 2);
        double trueAuc = auc(scored, 1, 2);

        // MLlib's logistic regression on exactly the MLP's inputs: the spec-encoded vectors.
        StructType vecSchema = new StructType().add("features", new VectorUDT()).add("label", DataTypes.DoubleType);
        List<Row> trainVecs = encode(trained, train);
        List<Row> testVecs = encode(trained, test);
        var lr = new LogisticRegression().setMaxIter(100).fit(spark.createDataFrame(trainVecs, vecSchema));
        List<Row> lrScored = lr.transform(spark.createDataFrame(testVecs, vecSchema)).select("probability", "label")
                .collectAsList();
        double[] lrScores = new double[lrScored.size()];
        boolean[] lrLabels = new boolean[lrScored.size()];
        for (int i = 0; i < lrScores.length; i++) {
            lrScores[i] = ((Vector) lrScored.get(i).get(0)).apply(1);
            lrLabels[i] = lrScored.get(i).getDouble(1) == 1.0;
        }
        double lrAuc = BinaryMetrics.rocAuc(lrScores, lrLabels);
        System.out.printf("test AUC: true_propensity %.4f, MLP %.4f, MLlib logistic regression %.4f (best epoch %d)%n",
                trueAuc, mlpAuc, lrAuc, trained.best().epoch());
        assertTrue(mlpAuc >= trueAuc - 0.01, "MLP " + mlpAuc + " within 0.01 of the truth " + trueAuc);
        assertTrue(mlpAuc > lrAuc, "MLP " + mlpAuc + " above logistic regression " + lrAuc);
    }

    private static List<Row> encode(TrainedModel trained, Dataset<Row> df) {
        List<String> cols = trained.metadata().features();
        List<Row> out = new ArrayList<>();
        var spec = trained.spec();
        for (Row r : df.select(cols.stream().map(org.apache.spark.sql.functions::col)
                .toArray(org.apache.spark.sql.Column[]::new)).collectAsList()) {
            Object[] raw = new Object[cols.size()];
            for (int j = 0; j < raw.length; j++) {
                raw[j] = r.get(j);
            }
            float[] x = new float[spec.width()];
            assertNull(spec.encode(raw, x, 0));
            double[] v = new double[x.length];
            for (int p = 0; p < x.length; p++) {
                v[p] = x[p];
            }
            out.add(RowFactory.create(Vectors.dense(v), 0.0));
        }
        List<Row> labels = df.select("purchased").collectAsList();
        for (int i = 0; i < out.size(); i++) {
            out.set(i, RowFactory.create(out.get(i).get(0), (double) labels.get(i).getInt(0)));
        }
        return out;
    }

    @Test
    void savedModelScoresInSparkAsAtTrainingTime(@TempDir Path tmp) throws Exception {
        Dataset<Row> all = RetailGenerator.builder().optRows(20_000).optSeed(9).build().generate(spark);
        Dataset<Row> heldOut = all.where("customer_id % 5 = 0").orderBy("customer_id");
        TrainedModel trained = PropensityTrainer.builder().setNumeric(NUMERIC).setCategorical(CATEGORICAL)
                .setLabel("purchased").optHidden(List.of(16)).optEpochs(3).optSeed(3).optProgress(l -> { })
                .build().fit(all.where("customer_id % 5 != 0"));
        List<Object[]> raw = new ArrayList<>();
        List<String> cols = trained.metadata().features();
        for (Row r : heldOut.select(cols.stream().map(org.apache.spark.sql.functions::col)
                .toArray(org.apache.spark.sql.Column[]::new)).collectAsList()) {
            Object[] values = new Object[cols.size()];
            for (int j = 0; j < values.length; j++) {
                values[j] = r.get(j);
            }
            raw.add(values);
        }
        float[] atTraining = trained.predict(raw);
        PropensityModel model = Propensity.load(spark, trained.save(tmp.resolve("small")).toString());
        List<Row> scored = Propensity.score(heldOut, model).orderBy("customer_id").select("propensity").collectAsList();
        assertEquals(atTraining.length, scored.size());
        for (int i = 0; i < scored.size(); i++) {
            assertEquals(atTraining[i], scored.get(i).getDouble(0), 1e-5, "held-out row " + i);
        }
        // The same seed trains the same model.
        TrainedModel again = PropensityTrainer.builder().setNumeric(NUMERIC).setCategorical(CATEGORICAL)
                .setLabel("purchased").optHidden(List.of(16)).optEpochs(3).optSeed(3).optProgress(l -> { })
                .build().fit(all.where("customer_id % 5 != 0"));
        float[] repeat = again.predict(raw);
        for (int i = 0; i < repeat.length; i++) {
            assertEquals(atTraining[i], repeat[i], 1e-6, "seeded rerun, row " + i);
        }
    }

    @Test
    void trainsFromATablesawTable(@TempDir Path tmp) throws Exception {
        tech.tablesaw.api.Table table = RetailGenerator.builder().optRows(5_000).optSeed(4).build().table();
        List<String> lines = new ArrayList<>();
        TrainedModel trained = PropensityTrainer.builder().setNumeric(NUMERIC).setCategorical(CATEGORICAL)
                .setLabel("purchased").optHidden(List.of(8)).optEpochs(2).optBalancedClasses().optProgress(lines::add)
                .build().fit(table);
        assertEquals("training on 5,000 rows from a table", lines.get(0));
        assertEquals(2, trained.history().size());
        List<Object[]> raw = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Object[] values = new Object[trained.metadata().featureCount()];
            for (int j = 0; j < values.length; j++) {
                var column = table.column(trained.metadata().features().get(j));
                values[j] = column.isMissing(i) ? null : column.get(i);
            }
            raw.add(values);
        }
        float[] direct = trained.predict(raw);
        float[] loaded = PropensityModel.load(trained.save(tmp.resolve("table")).toString()).predict(raw);
        for (int i = 0; i < direct.length; i++) {
            assertEquals(direct[i], loaded[i], 1e-6, "row " + i);
        }
    }
}
