package io.propensitykit.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Budget to cutoff against the obvious computation on arrays (sort descending, take the budget):
 * distinct scores spread over 8 partitions, so the per-partition heaps must merge to the same top.
 */
class TargetingTest extends SharedSpark {

    @Test
    void theBudgetsTopScoresMatchASortOfTheArrays() {
        Random random = new Random(5);
        int n = 30_000;
        double[][] rows = new double[n][];
        List<Row> data = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double s = random.nextDouble();
            double y = random.nextDouble() < s ? 1 : 0;
            rows[i] = new double[] {s, y};
            data.add(RowFactory.create(s, (int) y));
        }
        Dataset<Row> df = spark.createDataFrame(data, new StructType().add("p", "double").add("bought", "int"))
                .repartition(8);
        Arrays.sort(rows, (a, b) -> Double.compare(b[0], a[0]));
        int budget = 1_234;
        double expected = 0;
        double observed = 0;
        for (int i = 0; i < budget; i++) {
            expected += rows[i][0];
            observed += rows[i][1];
        }
        double baseRate = Arrays.stream(rows).mapToDouble(r -> r[1]).sum() / n;
        Targeting t = Targeting.forBudget(df, "p", "bought", budget);
        assertEquals(budget, t.contacted());
        assertEquals(rows[budget - 1][0], t.cutoff(), 0.0);
        assertEquals(expected, t.expectedResponders(), 1e-9);
        assertEquals(observed, t.observedResponders(), 0.0);
        assertEquals(baseRate, t.baseRate(), 1e-12);
        assertEquals(expected / (budget * baseRate), t.lift(), 1e-12);

        Targeting byScore = Targeting.forBudget(df, "p", budget);
        assertTrue(Double.isNaN(byScore.observedResponders()));
        assertEquals(Arrays.stream(rows).mapToDouble(r -> r[0]).sum() / n, byScore.baseRate(), 1e-12);
        assertEquals(n, Targeting.forBudget(df, "p", "bought", n + 10).contacted(),
                "a budget above the rows takes all");
    }

    @Test
    void badScoresAndLabelsAreNamed() {
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create(0.2, 1), RowFactory.create(1.7, 0),
                RowFactory.create(0.5, 2)), new StructType().add("p", "double").add("bought", "int"));
        IllegalArgumentException score = assertThrows(IllegalArgumentException.class,
                () -> Targeting.forBudget(df, "p", "bought", 1));
        assertTrue(score.getMessage().startsWith("Scores in 'p' must be probabilities in [0, 1]; 0 rows are null and 1 "
                + "lie outside (for example 1.7)."), score.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> Targeting.forBudget(df.where("p < 1"), "p", "bought", 1));
        assertTrue(label.getMessage().startsWith("Column 'bought' must be 0 or 1 in every row; 0 rows are null and 1 "
                + "hold other values (for example 2.0)."), label.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Targeting.forBudget(df, "p", 0));
    }
}
