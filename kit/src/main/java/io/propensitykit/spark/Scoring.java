package io.propensitykit.spark;

import io.propensitykit.model.ModelLease;
import io.propensitykit.model.ModelRuntime;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import scala.collection.JavaConverters;
import scala.collection.Seq;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What a {@link PropensityScore} node scores with: the model, its settings, and where executors
 * find the model's files. It is bound to its input's columns only when the plan runs, since the
 * planner may have left out input columns that no one reads.
 */
public final class Scoring implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(Scoring.class);

    private final PropensityModel model;
    private final int batchSize;
    private final HandleInvalid mode;
    private final ModelRuntime.Shipment files;
    private final LongAccumulator skipped;
    private final List<String> inputCols;
    private final String featuresCol;
    private final String idCol;
    private final String outputCol;

    Scoring(PropensityModel model, int batchSize, HandleInvalid mode, ModelRuntime.Shipment files,
            LongAccumulator skipped, List<String> inputCols, String featuresCol, String idCol, String outputCol) {
        this.model = model;
        this.batchSize = batchSize;
        this.mode = mode;
        this.files = files;
        this.skipped = skipped;
        this.inputCols = inputCols == null ? null : List.copyOf(inputCols);
        this.featuresCol = featuresCol;
        this.idCol = idCol;
        this.outputCol = outputCol;
    }

    HandleInvalid mode() {
        return mode;
    }

    FeatureReader reader(StructType schema) {
        return BatchScorer.reader(schema, model.metadata(), inputCols, featuresCol);
    }

    /**
     * The columns of {@code schema} that scoring reads: the features, and the id column that names a
     * bad row in an error.
     */
    int[] columnsRead(StructType schema) {
        int[] features = reader(schema).ordinalsRead();
        int id = idOrdinal(schema);
        if (id < 0) {
            return features;
        }
        int[] read = Arrays.copyOf(features, features.length + 1);
        read[features.length] = id;
        return read;
    }

    private int idOrdinal(StructType schema) {
        return idCol == null ? -1 : Arrays.asList(schema.fieldNames()).indexOf(idCol);
    }

    /** The per-partition work for input rows of {@code schema}, shipped to executors. */
    Bound bind(StructType schema) {
        int id = idOrdinal(schema);
        return new Bound(this, reader(schema), schema, id, id < 0 ? null : schema.fields()[id].dataType());
    }

    /** {@code attrs} and then {@code last}, as Spark's plans take them. */
    static <T> Seq<T> append(Seq<? extends T> attrs, T last) {
        List<T> all = new ArrayList<>(JavaConverters.seqAsJavaList(attrs));
        all.add(last);
        return JavaConverters.asScalaBuffer(all).toList();
    }

    /** A plan's one child, as Spark's plans take children. */
    static <T> Seq<T> seq(T child) {
        return JavaConverters.asScalaBuffer(List.of(child)).toList();
    }

    /** As Spark's {@code explain()} shows the node. */
    @Override
    public String toString() {
        return "model=" + model.metadata().name() + ", batchSize=" + batchSize + ", handleInvalid="
                + mode.sparkName();
    }

    /** The work of one partition, on an executor. */
    static final class Bound implements Serializable, BlockScorer.InvalidRows {
        private static final long serialVersionUID = 1L;

        private final Scoring scoring;
        private final FeatureReader reader;
        private final StructType schema;
        private final int idOrdinal;
        private final DataType idType;
        private transient long taskSkipped;
        private transient String firstSkipped;

        private Bound(Scoring scoring, FeatureReader reader, StructType schema, int idOrdinal, DataType idType) {
            this.scoring = scoring;
            this.reader = reader;
            this.schema = schema;
            this.idOrdinal = idOrdinal;
            this.idType = idType;
        }

        /**
         * Scores a partition of rows.
         *
         * @param kept the ordinals of the input columns handed on, in order, or null for all of them
         */
        Iterator<InternalRow> scoreRows(Iterator<InternalRow> rows, int[] kept) {
            if (kept == null) {
                return new ScoringIterator(RowBlocks.of(rows, reader, scoring.batchSize, null), scorer(this),
                        scoring.mode, schema, null);
            }
            // Each row's slot holds only the columns handed on, and the id that names a row in an error.
            int[] slot = IntStream.concat(IntStream.of(kept), IntStream.of(idOrdinal).filter(i -> i >= 0))
                    .distinct().sorted().toArray();
            StructType slotSchema = new StructType();
            for (int ordinal : slot) {
                slotSchema = slotSchema.add(schema.fields()[ordinal]);
            }
            Bound slots = new Bound(scoring, reader, slotSchema,
                    idOrdinal < 0 ? -1 : Arrays.binarySearch(slot, idOrdinal), idType);
            int[] keptInSlot = Arrays.stream(kept).map(k -> Arrays.binarySearch(slot, k)).toArray();
            return new ScoringIterator(RowBlocks.of(rows, reader, scoring.batchSize, Arrays.equals(slot,
                    IntStream.range(0, schema.length()).toArray()) ? null : new RowBlocks.Slots(schema, slot)),
                    scorer(slots), scoring.mode, slotSchema, keptInSlot);
        }

        /**
         * Scores a partition of column batches.
         *
         * @param kept the ordinals of the input columns handed on, in order, or null for all of them
         */
        Iterator<ColumnarBatch> scoreBatches(Iterator<ColumnarBatch> batches, int[] kept) {
            ScoredBatches scored = new ScoredBatches(batches, RowBlocks.slices(reader, scoring.batchSize),
                    scorer(this), kept);
            TaskContext.get().addTaskCompletionListener((TaskCompletionListener) context -> scored.close());
            return scored;
        }

        /** @param slots names a row of a block in an error, as the block keeps it */
        private BlockScorer scorer(BlockScorer.InvalidRows slots) {
            ModelLease lease = TaskLeases.open(scoring.model, scoring.batchSize, scoring.files);
            Bound self = this;
            TaskContext.get().addTaskCompletionListener((TaskCompletionListener) context -> {
                if (self.taskSkipped > 0) {
                    LOG.warn("Partition {}: skipped {} rows with invalid features (handleInvalid=skip); first: {}",
                            context.partitionId(), self.taskSkipped, self.firstSkipped);
                }
            });
            return new BlockScorer(lease, scoring.mode, this, slots);
        }

        @Override
        public String describe(InternalRow row, String problem) {
            return "Invalid features in a row" + idText(row) + ": " + problem + ". Model '"
                    + scoring.model.metadata().name() + "' cannot score that. Set"
                    + " optHandleInvalid(\"skip\") to drop such rows, or optHandleInvalid(\"keep\") to give"
                    + " them a null " + scoring.outputCol + ".";
        }

        @Override
        public void skipped(InternalRow row, String problem) {
            scoring.skipped.add(1);
            if (taskSkipped++ == 0) {
                firstSkipped = problem + idText(row);
            }
        }

        @Override
        public String identify(InternalRow row) {
            return idText(row);
        }

        private String idText(InternalRow row) {
            if (idOrdinal < 0) {
                return "";
            }
            return " (" + scoring.idCol + "=" + (row.isNullAt(idOrdinal) ? "null" : row.get(idOrdinal, idType)) + ")";
        }
    }
}
