package io.propensitykit.spark;

import io.propensitykit.model.FeatureBatch;
import io.propensitykit.model.FeatureEncoder;
import io.propensitykit.model.FeatureProblem;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;

import scala.collection.JavaConverters;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A partition's rows in blocks of at most one prediction's size. The rows of the current block
 * stay readable, by index, until the next block: the scorer encodes them, predicts once, then
 * hands each back with its score, with no copy of a row it does not need to copy. Row blocks
 * ({@link Copied}) are encoded as they are read; column batch slices ({@link Slices}) feature by
 * feature, straight from the column vectors.
 */
abstract class RowBlocks implements FeatureEncoder.Block {

    final FeatureReader reader;
    final FeatureReader.Cursor cursor;
    int size;

    RowBlocks(FeatureReader reader) {
        this.reader = reader;
        this.cursor = reader.cursor();
    }

    /**
     * @param i a row of the current block
     * @return the row, valid until the next call of this method or the next block
     */
    abstract InternalRow get(int i);

    @Override
    public int rows() {
        return size;
    }

    @Override
    public FeatureReader.Cursor row(int i) {
        return cursor.at(get(i));
    }

    @Override
    public boolean numbers(int feature, int from, int count, FeatureEncoder.Numbers into) {
        return false;
    }

    /**
     * Blocks of a row iterator: each row is copied into a buffer of its slot, reused block after block.
     *
     * @param slots the columns a slot keeps, or null for the whole row
     */
    static Copied of(Iterator<InternalRow> rows, FeatureReader reader, int capacity, Slots slots) {
        return new Copied(rows, reader, capacity, slots);
    }

    /** What the scorer does with a row that cannot be scored, while the row is still at hand. */
    interface BadRow {
        /**
         * @param row the input row
         * @param at the encoder's view of it
         * @param problem why it cannot be scored
         */
        void at(InternalRow row, FeatureReader.Cursor at, FeatureProblem problem);
    }

    /**
     * Some columns of an input row, the ones a slot keeps until the block's scores are handed out:
     * the columns the query reads after scoring, and the id. With none, nothing is kept.
     */
    static final class Slots {
        private final UnsafeProjection projection;

        /**
         * @param schema the input rows' schema
         * @param ordinals the columns kept, in order
         */
        Slots(StructType schema, int[] ordinals) {
            List<Expression> columns = new ArrayList<>();
            for (int ordinal : ordinals) {
                StructField field = schema.fields()[ordinal];
                columns.add(new BoundReference(ordinal, field.dataType(), field.nullable()));
            }
            this.projection = ordinals.length == 0 ? null
                    : UnsafeProjection.create(JavaConverters.asScalaBuffer(columns).toList());
        }
    }

    /**
     * Blocks of one columnar batch at a time, such as Parquet's vectorized reader returns: a block is
     * a slice of the batch, its rows are read in place, and its numeric features straight from the
     * column vectors.
     */
    static Slices slices(FeatureReader reader, int capacity) {
        return new Slices(reader, capacity);
    }

    /**
     * The blocks of a row iterator. Each row is encoded as it is read, while its bytes are in the
     * core's cache, then kept in its slot until the block's scores are handed out.
     */
    static final class Copied extends RowBlocks {
        private final Iterator<InternalRow> input;
        private final InternalRow[] rows;
        private final UnsafeRow[] buffers;
        /** The columns a slot keeps, or null for the whole row. */
        private final Slots slots;

        private Copied(Iterator<InternalRow> input, FeatureReader reader, int capacity, Slots slots) {
            super(reader);
            this.input = input;
            this.rows = new InternalRow[capacity];
            this.buffers = new UnsafeRow[capacity];
            this.slots = slots;
        }

        /**
         * Reads the next block, encoding each row into {@code batch} at its place, zeros for a row
         * that cannot be scored.
         *
         * @param batch the model's batch, empty
         * @param problems receives, per row of the block, null or why it cannot be scored
         * @param bad takes each row that cannot be scored, before its slot keeps what it keeps
         * @return the block's row count, 0 at the end of the partition
         */
        int next(FeatureBatch batch, FeatureProblem[] problems, BadRow bad) {
            int count = 0;
            while (count < rows.length && input.hasNext()) {
                InternalRow row = input.next();
                FeatureProblem problem = batch.addInOrder(cursor.at(row));
                if (problem != null) {
                    bad.at(row, cursor, problem);
                }
                problems[count] = problem;
                rows[count] = keep(slots == null ? row : slots.projection == null ? null
                        : slots.projection.apply(row), count);
                count++;
            }
            size = count;
            return count;
        }

        @Override
        InternalRow get(int i) {
            return rows[i];
        }

        /** Copies the row into this slot's reusable buffer: Spark reuses the input row object. */
        private InternalRow keep(InternalRow row, int slot) {
            if (row == null) {
                return null;
            }
            if (row instanceof UnsafeRow unsafe) {
                UnsafeRow buffer = buffers[slot];
                if (buffer == null) {
                    buffer = new UnsafeRow(unsafe.numFields());
                    // copyFrom needs a byte[]-backed row; it grows the array when a row is larger.
                    buffer.pointTo(new byte[unsafe.getSizeInBytes()], unsafe.getSizeInBytes());
                    buffers[slot] = buffer;
                }
                buffer.copyFrom(unsafe);
                return buffer;
            }
            return row.copy();
        }
    }

    /** The slices of one batch; {@link #start} moves to the next batch. */
    static final class Slices extends RowBlocks {
        private final int capacity;
        private ColumnarBatch batch;
        private int start;
        private int end;

        private Slices(FeatureReader reader, int capacity) {
            super(reader);
            this.capacity = capacity;
        }

        /** Slices {@code next} from its first row on. */
        void start(ColumnarBatch next) {
            batch = next;
            start = 0;
            end = 0;
        }

        /**
         * Moves to the next slice of the batch.
         *
         * @return its row count, 0 at the end of the batch
         */
        int next() {
            start = end;
            end = Math.min(batch.numRows(), start + capacity);
            size = end - start;
            return size;
        }

        @Override
        InternalRow get(int i) {
            return batch.getRow(start + i);
        }

        @Override
        public boolean numbers(int feature, int from, int count, FeatureEncoder.Numbers into) {
            return reader.numbers(batch, start + from, count, feature, into);
        }
    }
}
