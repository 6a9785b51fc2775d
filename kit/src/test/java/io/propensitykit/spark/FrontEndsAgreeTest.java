package io.propensitykit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The same 1,000 rows, with nulls, NaN, out-of-domain values, overflowing values and unseen or
 * missing categories, through every front end: the batched scorer (from column vectors and from
 * rows), the Transformer, the SQL table function, the SQL function and the driver's
 * {@code predict}. All go through the one encoder, so each must score the same rows, give them the
 * same scores, and find the same problem in each bad row.
 *
 * <p>The reference for the problems is the injection itself: which value was made bad, and how.
 */
class FrontEndsAgreeTest extends SharedSpark {

    private static final double TOL = 1e-6;
    private static final String MODEL = "classpath:models/retail_mlp.pt";

    @TempDir
    static Path tmp;

    private static PropensityModel model;
    private static Dataset<Row> rows;
    private static List<String> features;
    /** Row id to the problem its injected value must cause, worded without its subject. */
    private static final Map<Long, String> BAD = new LinkedHashMap<>();

    @BeforeAll
    static void data() {
        model = Propensity.load(spark, MODEL);
        features = model.features();
        Dataset<Row> generated = RetailGenerator.builder().optRows(1000).optSeed(21).optPartitions(3).build()
                .generate(spark).withColumn("past_home", functions.col("past_home").cast("double"));
        Column id = functions.col("customer_id");
        // Valid but unusual: a missing email rate (the model has a missing indicator), a missing and
        // an unseen category (the unknown bucket).
        Dataset<Row> injected = generated
                .withColumn("email_open_rate", functions.when(id.mod(7).equalTo(0), null)
                        .otherwise(functions.col("email_open_rate")))
                .withColumn("channel", functions.when(id.mod(11).equalTo(0), null).otherwise(functions.col("channel")))
                .withColumn("region", functions.when(id.mod(13).equalTo(0), "atlantis")
                        .otherwise(functions.col("region")))
                // Bad: each kind of problem the encoder knows, in rows of their own.
                .withColumn("monetary", functions.when(id.mod(97).equalTo(5), Double.NaN)
                        .otherwise(functions.col("monetary")))
                .withColumn("recency_days", functions.when(id.mod(97).equalTo(6), null)
                        .otherwise(functions.col("recency_days")))
                .withColumn("frequency", functions.when(id.mod(97).equalTo(7), -3)
                        .otherwise(functions.col("frequency")))
                .withColumn("past_home", functions.when(id.mod(97).equalTo(8), 1e300)
                        .otherwise(functions.col("past_home")));
        Path parquet = tmp.resolve("customers.parquet");
        injected.write().parquet(parquet.toString());
        rows = spark.read().parquet(parquet.toString());
        for (Row r : rows.select("customer_id").collectAsList()) {
            long k = r.getLong(0);
            switch ((int) (k % 97)) {
                case 5 -> BAD.put(k, "'monetary' is NaN");
                case 6 -> BAD.put(k, "'recency_days' is null");
                case 7 -> BAD.put(k, "'frequency' is -3.0, which the model's log1p transform cannot take");
                case 8 -> BAD.put(k, "'past_home' is 1.0E300, which overflows the model's float32 input");
                default -> { }
            }
        }
        Propensity.register(spark, "retail", model, HandleInvalid.KEEP);
        rows.createOrReplaceTempView("customers");
    }

    private static Map<Long, Double> scores(Dataset<Row> scored, String col) {
        Map<Long, Double> byId = new HashMap<>();
        for (Row r : scored.select("customer_id", col).collectAsList()) {
            byId.put(r.getLong(0), r.isNullAt(1) ? null : r.getDouble(1));
        }
        return byId;
    }

    @Test
    void everyFrontEndScoresTheSameRowsAlike() {
        Map<String, Map<Long, Double>> byFrontEnd = new LinkedHashMap<>();
        Dataset<Row> columnar = Propensity.scorer(model).optHandleInvalid("keep").build().transform(rows);
        assertTrue(ScorePlanTest.scoringNode(columnar).supportsColumnar(), "the Parquet scan should be scored from its column"
                + " vectors and handed on as column batches");
        byFrontEnd.put("batched, columnar", scores(columnar, "propensity"));
        Dataset<Row> rowWise = Propensity.scorer(model).optHandleInvalid("keep").optBatchSize(7).build()
                .transform(rows.where("customer_id >= 0"));
        assertFalse(ScorePlanTest.scoringNode(rowWise).supportsColumnar(), "a filtered scan goes through rows");
        byFrontEnd.put("batched, rows", scores(rowWise, "propensity"));
        // Blocks of 5 rows: some hold no null (the bulk read skips the null flags), the next one does.
        byFrontEnd.put("batched, rows, blocks of 5", scores(Propensity.scorer(model).optHandleInvalid("keep")
                .optBatchSize(5).build().transform(rows.where("customer_id >= 0")), "propensity"));
        byFrontEnd.put("Transformer", scores(new PropensityScorer().setModelPath(MODEL).setHandleInvalid("keep")
                .setOutputCol("p").transform(rows), "p"));
        byFrontEnd.put("SQL table function", scores(spark.sql(
                "SELECT * FROM propensity_scores('customers', 'retail', 'p')"), "p"));
        byFrontEnd.put("SQL function", scores(spark.sql("SELECT customer_id, retail(" + String.join(", ", features)
                + ") AS p FROM customers"), "p"));
        byFrontEnd.put("predict", predictEachRow(model, rows));

        Map<Long, Double> reference = byFrontEnd.get("batched, columnar");
        assertEquals(1000, reference.size());
        long nulls = reference.values().stream().filter(v -> v == null).count();
        assertEquals(BAD.size(), nulls, "rows left unscored: exactly the bad ones");
        BAD.keySet().forEach(k -> assertEquals(null, reference.get(k), "bad row " + k + " has a score"));
        for (Map.Entry<String, Map<Long, Double>> e : byFrontEnd.entrySet()) {
            assertEquals(1000, e.getValue().size(), e.getKey() + ": rows");
            for (Map.Entry<Long, Double> r : reference.entrySet()) {
                Double other = e.getValue().get(r.getKey());
                if (r.getValue() == null) {
                    assertEquals(null, other, e.getKey() + ": customer " + r.getKey() + " should have no score");
                } else {
                    assertTrue(other != null && Math.abs(other - r.getValue()) <= TOL, e.getKey() + ": customer "
                            + r.getKey() + " scored " + other + ", batched scored " + r.getValue());
                }
            }
        }
    }

    /**
     * A model whose features are all numbers reads a row with no null in one go: the row path's
     * fast path. Over columns of every numeric type Spark has (all the same type, and mixed), with
     * nulls, NaN and overflowing values in some rows, the rows must score as the column vectors do
     * and as the driver's {@code predict} does, one row at a time.
     */
    @Test
    void aModelOfNumbersScoresRowsOfEveryNumericTypeAlike() {
        PropensityModel tiny = Propensity.load(spark, "classpath:models/tiny_mlp.pt");
        List<String> names = tiny.features();
        Column id = functions.col("customer_id");
        Column[] values = {id.mod(61), id.mod(9), id.multiply(1.7).plus(3), id.mod(48)};
        Column[] bad = {null, id.mod(17).equalTo(0), id.mod(29).equalTo(3), id.mod(31).equalTo(4)};
        Object[] badValue = {null, null, Double.NaN, 1e30};
        Map<String, String[]> typings = new LinkedHashMap<>();
        typings.put("all float", new String[] {"float", "float", "float", "float"});
        typings.put("all double", new String[] {"double", "double", "double", "double"});
        typings.put("mixed", new String[] {"int", "bigint", "double", "float"});
        typings.put("small and decimal", new String[] {"smallint", "tinyint", "decimal(12,2)", "double"});
        for (Map.Entry<String, String[]> typing : typings.entrySet()) {
            List<Column> cols = new ArrayList<>(List.of(id));
            for (int j = 0; j < names.size(); j++) {
                String type = typing.getValue()[j];
                // A NaN has no decimal: there, and in integer columns, the bad value is a null.
                Object replacement = type.startsWith("decimal") || !type.matches("float|double") ? null
                        : badValue[j];
                Column value = bad[j] == null ? values[j]
                        : functions.when(bad[j], replacement).otherwise(values[j]);
                cols.add(value.cast(type).as(names.get(j)));
            }
            Path parquet = tmp.resolve("numbers-" + typing.getKey().replace(' ', '-') + ".parquet");
            spark.range(0, 400, 1, 3).withColumnRenamed("id", "customer_id").select(cols.toArray(new Column[0]))
                    .write().parquet(parquet.toString());
            Dataset<Row> typed = spark.read().parquet(parquet.toString());
            PropensityScorer scorer = Propensity.scorer(tiny).optHandleInvalid("keep").optBatchSize(64).build();
            Map<Long, Double> columnar = scores(scorer.transform(typed), "propensity");
            Dataset<Row> filtered = typed.where("customer_id >= 0");
            assertFalse(ScorePlanTest.scoringNode(scorer.transform(filtered)).supportsColumnar(), "rows");
            Map<Long, Double> rowWise = scores(scorer.transform(filtered), "propensity");
            Map<Long, Double> predicted = predictEachRow(tiny, typed);
            long unscored = predicted.values().stream().filter(v -> v == null).count();
            assertTrue(unscored > 20 && unscored < 100, typing.getKey() + ": bad rows " + unscored);
            for (Map.Entry<Long, Double> r : predicted.entrySet()) {
                for (Map.Entry<String, Map<Long, Double>> e : Map.of("columnar", columnar, "rows", rowWise)
                        .entrySet()) {
                    Double other = e.getValue().get(r.getKey());
                    String what = typing.getKey() + ", " + e.getKey() + ", customer " + r.getKey();
                    if (r.getValue() == null) {
                        assertEquals(null, other, what + " should have no score");
                    } else {
                        assertTrue(other != null && Math.abs(other - r.getValue()) <= TOL, what + " scored " + other
                                + ", predict " + r.getValue());
                    }
                }
            }
        }
    }

    /** The driver's predict, one row at a time: a bad row throws, and counts as unscored. */
    private static Map<Long, Double> predictEachRow(PropensityModel m, Dataset<Row> input) {
        Map<Long, Double> byId = new HashMap<>();
        List<Column> cols = new ArrayList<>(List.of(functions.col("customer_id")));
        m.features().forEach(f -> cols.add(functions.col(f)));
        for (Row r : input.select(cols.toArray(new Column[0])).collectAsList()) {
            Object[] raw = new Object[m.features().size()];
            for (int j = 0; j < raw.length; j++) {
                raw[j] = r.get(j + 1);
            }
            try {
                byId.put(r.getLong(0), (double) m.predict(List.<Object[]>of(raw))[0]);
            } catch (IllegalArgumentException bad) {
                byId.put(r.getLong(0), null);
            }
        }
        return byId;
    }

    @Test
    void everyFrontEndFindsTheSameProblem() {
        Pattern subject = Pattern.compile("(?:column|feature) ('[a-z_]+' is .*?(?:cannot take|float32 input|NaN|null))");
        // One row of each kind of problem, through every front end with handleInvalid=error.
        Map<String, Long> firstOfKind = new LinkedHashMap<>();
        BAD.forEach((k, problem) -> firstOfKind.putIfAbsent(problem, k));
        assertEquals(4, firstOfKind.size());
        for (Map.Entry<Long, String> bad : BAD.entrySet()) {
            if (!firstOfKind.containsValue(bad.getKey())) {
                continue;
            }
            Dataset<Row> one = rows.where("customer_id = " + bad.getKey());
            one.createOrReplaceTempView("one_customer");
            Map<String, Throwable> failures = new LinkedHashMap<>();
            failures.put("batched", assertThrows(Exception.class,
                    () -> Propensity.score(one, model).collectAsList()));
            failures.put("Transformer", assertThrows(Exception.class,
                    () -> new PropensityScorer().setModelPath(MODEL).transform(one).collectAsList()));
            failures.put("SQL table function", assertThrows(Exception.class, () -> spark.sql(
                    "SELECT * FROM propensity_scores('one_customer', 'retail', 'p', 'error')").collectAsList()));
            Propensity.register(spark, "retail_strict", model);
            failures.put("SQL function", assertThrows(Exception.class, () -> spark.sql("SELECT retail_strict("
                    + String.join(", ", features) + ") FROM one_customer").collectAsList()));
            Object[] raw = new Object[features.size()];
            Row r = one.select(features.stream().map(functions::col).toArray(Column[]::new)).first();
            for (int j = 0; j < raw.length; j++) {
                raw[j] = r.get(j);
            }
            failures.put("predict", assertThrows(IllegalArgumentException.class,
                    () -> model.predict(List.<Object[]>of(raw))));
            for (Map.Entry<String, Throwable> f : failures.entrySet()) {
                Matcher m = subject.matcher(messages(f.getValue()));
                assertTrue(m.find(), f.getKey() + " on customer " + bad.getKey() + ": " + messages(f.getValue()));
                assertEquals(bad.getValue(), m.group(1), f.getKey() + " on customer " + bad.getKey());
            }
        }
    }

    private static String messages(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
