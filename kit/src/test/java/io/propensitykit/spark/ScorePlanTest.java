package io.propensitykit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.columnar.InMemoryTableScanExec;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import scala.collection.JavaConverters;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a scoring sits in Spark's plans: a column that neither the query nor the model reads is not
 * read; a columnar input (Parquet, a cached DataFrame) is scored from its vectors in slices of the
 * model's batch size; two scorings of one DataFrame join; and Spark's cache finds a cached scoring.
 *
 * <p>The reference scores come from the row path: the same Parquet rows behind a filter that keeps
 * them all, scored one row at a time ({@code batchSize 1}), which shares no code with the columnar
 * path but the encoder and the model.
 */
class ScorePlanTest extends SharedSpark {

    private static final String MODEL = "classpath:models/retail_mlp.pt";
    private static final double TOL = 1e-6;

    @TempDir
    static Path tmp;

    private static PropensityModel model;
    private static Dataset<Row> rows;
    private static Map<Long, Double> reference;

    @BeforeAll
    static void data() {
        model = Propensity.load(spark, MODEL);
        Path parquet = tmp.resolve("customers.parquet");
        RetailGenerator.builder().optRows(2000).optSeed(8).optPartitions(2).build().generate(spark)
                .withColumn("notes", functions.lit("a column no one reads")).write().parquet(parquet.toString());
        rows = spark.read().parquet(parquet.toString());
        Dataset<Row> rowWise = Propensity.scorer(model).optBatchSize(1).build()
                .transform(rows.where("customer_id >= 0"));
        assertFalse(scoringNode(rowWise).supportsColumnar(), "the reference is scored from rows");
        reference = scores(rowWise, "propensity");
        assertEquals(2000, reference.size());
    }

    /** The scoring node of a scored DataFrame's physical plan. */
    static PropensityScoreExec scoringNode(Dataset<Row> scored) {
        return find(scored, PropensityScoreExec.class).get(0);
    }

    /** The nodes of one kind in a DataFrame's physical plan, adaptive plans included. */
    private static <T> List<T> find(Dataset<Row> df, Class<T> kind) {
        List<T> found = new ArrayList<>();
        ArrayDeque<SparkPlan> todo = new ArrayDeque<>(List.of(df.queryExecution().executedPlan()));
        while (!todo.isEmpty()) {
            SparkPlan plan = todo.pop();
            if (kind.isInstance(plan)) {
                found.add(kind.cast(plan));
            }
            if (plan instanceof AdaptiveSparkPlanExec adaptive) {
                todo.add(adaptive.executedPlan());
            }
            if (plan instanceof InMemoryTableScanExec cached) {
                todo.add(cached.relation().cachedPlan());
            }
            todo.addAll(JavaConverters.seqAsJavaList(plan.children()));
        }
        return found;
    }

    private static Map<Long, Double> scores(Dataset<Row> scored, String col) {
        Map<Long, Double> byId = new HashMap<>();
        for (Row r : scored.select("customer_id", col).collectAsList()) {
            byId.put(r.getLong(0), r.getDouble(1));
        }
        return byId;
    }

    /** Within float32's precision: the model's kernels sum in another order for another batch shape. */
    private static void assertSameScores(Map<Long, Double> expected, Map<Long, Double> actual, String what) {
        assertEquals(expected.size(), actual.size(), what + ": rows");
        expected.forEach((id, p) -> assertEquals(p, actual.get(id), TOL, what + ": customer " + id));
    }

    @Test
    void aColumnThatNeitherTheQueryNorTheModelReadsIsNotRead() {
        Dataset<Row> scored = Propensity.scorer(model).optIdCol("customer_id").build().transform(rows);
        Set<String> read = new TreeSet<>(List.of(
                find(scored.select("propensity"), FileSourceScanExec.class).get(0).requiredSchema().fieldNames()));
        Set<String> expected = new TreeSet<>(model.features());
        expected.add("customer_id");
        assertEquals(expected, read, "the features and the id column that names a bad row, and nothing else");

        Dataset<Row> withoutId = Propensity.scorer(model).build().transform(rows).select("treated", "propensity");
        Set<String> readThen = new TreeSet<>(List.of(
                find(withoutId, FileSourceScanExec.class).get(0).requiredSchema().fieldNames()));
        Set<String> expectedThen = new TreeSet<>(model.features());
        expectedThen.add("treated");
        assertEquals(expectedThen, readThen, "the features and the column selected above the scoring");

        assertTrue(scoringNode(scored.select("propensity")).supportsColumnar());
        assertSameScores(reference, scores(scored, "propensity"), "pruned Parquet scan");
    }

    /**
     * A query that reads only some input columns after scoring gets only those from the scoring
     * node, and one that reads only the score gets the score alone: on rows, a block then keeps no
     * row whole. The reference is the same scoring handed on whole and collected, every column.
     */
    @Test
    void aQueryThatReadsOnlyTheScoreGetsTheScoreAlone() {
        for (Dataset<Row> input : List.of(rows, rows.where("customer_id >= 0"))) {
            PropensityScorer scorer = Propensity.scorer(model).optBatchSize(64).build();
            Dataset<Row> whole = scorer.transform(input);
            List<String> columns = List.of(whole.columns());
            Map<Long, Double> expected = new HashMap<>();
            double sum = 0;
            for (Row r : whole.collectAsList()) {
                double p = r.getDouble(columns.indexOf("propensity"));
                expected.put(r.getLong(columns.indexOf("customer_id")), p);
                sum += p;
            }
            assertEquals(List.of("customer_id", "propensity"), handedOn(whole.select("customer_id", "propensity")));
            assertSameScores(expected, scores(whole, "propensity"), "only the id and the score");

            Dataset<Row> total = whole.agg(functions.sum("propensity"));
            assertEquals(List.of("propensity"), handedOn(total));
            assertEquals(sum, total.first().getDouble(0), 1e-9 * sum, "the sum of the scores alone");

            Dataset<Row> treated = whole.where("treated = 1").select("propensity");
            assertEquals(List.of("treated", "propensity"), handedOn(treated));
            assertEquals(whole.where("treated = 1").count(), treated.count());
        }
    }

    /** The columns the scoring node hands on, as its output names them. */
    private static List<String> handedOn(Dataset<Row> query) {
        return JavaConverters.seqAsJavaList(scoringNode(query).output()).stream().map(a -> a.name()).toList();
    }

    @Test
    void aCachedInputIsScoredFromItsVectorsInSlicesOfTheBatchSize() {
        // Spark caches numeric columns only as column vectors it can hand out: no strings here.
        PropensityModel tiny = Propensity.load(spark, "classpath:models/tiny_mlp.pt");
        Dataset<Row> numeric = rows.select(functions.col("customer_id"),
                functions.col("recency_days").cast("double").as("recency"),
                functions.col("frequency").cast("double"), functions.col("monetary"),
                functions.col("tenure_months").cast("double").as("tenure"));
        Map<Long, Double> expected = scores(Propensity.scorer(tiny).optBatchSize(1).build()
                .transform(numeric.where("customer_id >= 0")), "propensity");
        Dataset<Row> cached = numeric.cache();
        try {
            cached.count();
            Dataset<Row> scored = Propensity.scorer(tiny).optBatchSize(7).build().transform(cached);
            assertTrue(scoringNode(scored).supportsColumnar(), "a cached DataFrame is read as column batches");
            assertSameScores(expected, scores(scored, "propensity"), "cached input, 7 rows per model call");
        } finally {
            cached.unpersist(true);
        }
    }

    @Test
    void twoScoringsOfOneDataFrameJoin() {
        Dataset<Row> first = Propensity.scorer(model).optOutputCol("p1").build().transform(rows);
        Dataset<Row> second = Propensity.scorer(model).optOutputCol("p2").optBatchSize(100).build().transform(rows);
        List<Row> joined = first.join(second, "customer_id").select("customer_id", "p1", "p2").collectAsList();
        assertEquals(2000, joined.size());
        for (Row r : joined) {
            assertEquals(reference.get(r.getLong(0)), r.getDouble(1), TOL);
            assertEquals(r.getDouble(1), r.getDouble(2), TOL, "customer " + r.getLong(0));
        }
        Dataset<Row> self = first.as("a").join(first.as("b"), "customer_id");
        assertEquals(2000, self.count(), "a scoring joins itself");
    }

    @Test
    void sparksCacheFindsACachedScoring() {
        Dataset<Row> scored = Propensity.scorer(model).build().transform(rows).cache();
        try {
            scored.count();
            Dataset<Row> query = scored.select("propensity");
            assertFalse(find(query, InMemoryTableScanExec.class).isEmpty(), "read from the cache");
            assertSameScores(reference, scores(scored, "propensity"), "cached scoring");
        } finally {
            scored.unpersist(true);
        }
    }
}
