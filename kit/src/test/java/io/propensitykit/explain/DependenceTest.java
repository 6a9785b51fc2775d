package io.propensitykit.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.plot.ExplainPlots;
import io.propensitykit.plot.Plot;
import io.propensitykit.spark.Propensity;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * Partial dependence and ICE against the definition, computed apart: the same customers with the
 * feature set to each grid value, scored through {@code Propensity.score} and averaged.
 */
class DependenceTest extends SharedSpark {

    private static PropensityModel model;
    private static Dataset<Row> customers;

    @BeforeAll
    static void customers() {
        model = Propensity.load(spark, "classpath:models/retail_mlp.pt");
        customers = RetailGenerator.builder().optRows(300).optSeed(11).build().generate(spark).cache();
    }

    private static double meanAt(String feature, Object value) {
        return Propensity.score(customers.withColumn(feature, functions.lit(value)
                .cast(customers.schema().apply(feature).dataType())), model)
                .agg(functions.avg("propensity")).first().getDouble(0);
    }

    @Test
    void numericCurvesFollowTheDefinition() {
        // More samples than rows: every customer is in the average and has a curve.
        Dependence recency = PartialDependence.on(model, customers).setFeature("recency_days").optPoints(6).optSample(1_000)
                .optCurves(400).optSeed(1).compute();
        assertEquals(300, recency.rows());
        assertEquals(300, recency.ice().size());
        for (int k = 0; k < recency.values().length; k++) {
            assertEquals(meanAt("recency_days", recency.values()[k]), recency.average()[k], 1e-6, "grid point " + k);
            int point = k;
            double iceMean = recency.ice().stream().mapToDouble(c -> c[point]).average().orElseThrow();
            assertEquals(recency.average()[k], iceMean, 1e-9, "the average is the mean of the curves");
        }
        assertTrue(recency.average()[0] > recency.average()[recency.values().length - 1],
                "the generator's purchase chance falls with recency: " + java.util.Arrays.toString(recency.average()));
        Plot plot = ExplainPlots.dependence(recency);
        assertArrayEquals(recency.average(), plot.series().get(0).y(), 0.0);
        assertTrue(plot.svg().contains("<svg"));
    }

    @Test
    void levelsAreTheMostFrequentOnes() {
        Dependence channel = PartialDependence.on(model, customers).setFeature("channel").optPoints(2).optSample(1_000).optCurves(0)
                .optSeed(1).compute();
        List<String> expected = customers.groupBy("channel").count().orderBy(functions.col("count").desc(),
                functions.col("channel")).limit(2).collectAsList().stream().map(r -> r.getString(0)).toList();
        assertEquals(expected, channel.grid());
        assertEquals(meanAt("channel", expected.get(1)), channel.average()[1], 1e-6);
        assertTrue(channel.ice().isEmpty() && channel.categorical());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PartialDependence.of(model, customers, "purchased"));
        assertTrue(e.getMessage().startsWith("'purchased' is not a feature of model"), e.getMessage());
    }
}
