package io.propensitykit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import tech.tablesaw.api.Table;

import java.util.List;

/** The generator: determinism across partitionings, Spark equals Tablesaw, and the configured rates. */
class RetailGeneratorTest extends SharedSpark {

    private static List<Row> sorted(Dataset<Row> df) {
        return df.orderBy("customer_id").collectAsList();
    }

    @Test
    void sameSeedSameRowsWhateverThePartitioning() {
        List<Row> one = sorted(RetailGenerator.builder().optRows(10_000).optSeed(7).optPartitions(1).build()
                .generate(spark));
        List<Row> eight = sorted(RetailGenerator.builder().optRows(10_000).optSeed(7).optPartitions(8).build()
                .generate(spark));
        assertEquals(10_000, one.size());
        assertEquals(one, eight);
        List<Row> other = sorted(RetailGenerator.builder().optRows(10_000).optSeed(8).optPartitions(8).build()
                .generate(spark));
        assertNotEquals(one, other, "another seed gives other rows");
    }

    @Test
    void tablesawTableHoldsTheSameValues() {
        RetailGenerator gen = RetailGenerator.builder().optRows(2_000).optSeed(3).build();
        Table table = gen.table();
        List<Row> rows = sorted(gen.generate(spark));
        assertEquals(rows.size(), table.rowCount());
        assertEquals(List.of(RetailGenerator.schema().fieldNames()), table.columnNames());
        for (int i = 0; i < rows.size(); i += 97) {
            Row r = rows.get(i);
            for (int c = 0; c < r.size(); c++) {
                Object expected = r.get(c);
                Object actual = table.column(c).isMissing(i) ? null : table.column(c).get(i);
                assertEquals(expected, actual, "row " + i + " column " + table.column(c).name());
            }
        }
    }

    @Test
    void ratesComeOutAsConfigured() {
        Row stats = RetailGenerator.builder().optRows(100_000).optSeed(11).optBaseRate(0.12).optTreatedRate(0.3)
                .build().generate(spark)
                .agg(functions.avg("true_propensity"), functions.avg("purchased"),
                        functions.avg("true_treatment_propensity"), functions.avg("treated"),
                        functions.avg(functions.col("email_open_rate").isNull().cast("int")),
                        functions.avg(functions.col("region").isNull().cast("int")))
                .first();
        // Intercepts are solved on a 20,000-row sample; binomial noise on 100,000 rows is about 0.001.
        assertEquals(0.12, stats.getDouble(0), 0.005);
        assertEquals(0.12, stats.getDouble(1), 0.006);
        assertEquals(0.30, stats.getDouble(2), 0.005);
        assertEquals(0.30, stats.getDouble(3), 0.006);
        assertEquals(0.06, stats.getDouble(4), 0.004, "e-mail engagement is missing for about 6%");
        assertEquals(0.01, stats.getDouble(5), 0.002, "region is missing for about 1%");
    }

    @Test
    void treatmentIsConfoundedOnlyWhenAsked() {
        Dataset<Row> confounded = RetailGenerator.builder().optRows(50_000).optConfounding(1.5).build().generate(spark);
        Row byArm = confounded.groupBy().pivot("treated", List.of(0, 1)).agg(functions.avg("email_open_rate")).first();
        assertTrue(byArm.getDouble(1) > byArm.getDouble(0) + 0.05,
                "engaged customers are targeted: open rate " + byArm.getDouble(0) + " vs " + byArm.getDouble(1));
        Row randomized = RetailGenerator.builder().optRows(20_000).optConfounding(0).build().generate(spark)
                .agg(functions.stddev("true_treatment_propensity")).first();
        assertEquals(0.0, randomized.getDouble(0), 1e-12, "confounding 0 is a randomized test");
        Row effects = confounded.agg(functions.min("true_effect"), functions.max("true_effect")).first();
        assertTrue(effects.getDouble(0) >= 0 && effects.getDouble(1) > 2 * effects.getDouble(0),
                "a positive, heterogeneous effect: " + effects);
    }

    @Test
    void badSettingsNameTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RetailGenerator.builder().optBaseRate(1.5).build());
        assertEquals("baseRate must be in (0, 1), found 1.5", e.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class,
                () -> RetailGenerator.builder().optRows(3_000_000).build().table());
        assertTrue(big.getMessage().contains("Use generate(spark)"));
    }
}
