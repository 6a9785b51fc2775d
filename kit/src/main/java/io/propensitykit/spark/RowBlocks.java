package io.propensitykit.spark;

import io.propensitykit.model.FeatureEncoder;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.vectorized.ColumnarBatch;

import java.util.Iterator;

/**
 * A partition's rows in blocks of at most one prediction's size. The rows of the current block
 * stay readable, by index, until the next block: the scorer encodes them, predicts once, then
 * hands each back with its score, with no copy of a row it does not need to copy.
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
     * Moves to the next block.
     *
     * @return its row count, 0 at the end of the partition
     */
    abstract int next();

    /**
     * @param i a row of the current block
     * @return the row, valid until the next call of this method or of {@link #next()}
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

    /** Blocks of a row iterator: each row is copied into a buffer of its slot, reused block after block. */
    static RowBlocks of(Iterator<InternalRow> rows, FeatureReader reader, int capacity) {
        return new Copied(rows, reader, capacity);
    }

    /**
     * Blocks of one columnar batch at a time, such as Parquet's vectorized reader returns: a block is
     * a slice of the batch, its rows are read in place, and its numeric features straight from the
     * column vectors.
     */
    static Slices slices(FeatureReader reader, int capacity) {
        return new Slices(reader, capacity);
    }

    private static final class Copied extends RowBlocks {
        private final Iterator<InternalRow> input;
        private final InternalRow[] rows;
        private final UnsafeRow[] buffers;
        /** Whether any of rows {@code [nullsFrom, nullsFrom + nullsCount)} of the block holds a null. */
        private boolean anyNull;
        private int nullsFrom = -1;
        private int nullsCount;

        Copied(Iterator<InternalRow> input, FeatureReader reader, int capacity) {
            super(reader);
            this.input = input;
            this.rows = new InternalRow[capacity];
            this.buffers = new UnsafeRow[capacity];
        }

        @Override
        int next() {
            int count = 0;
            while (count < rows.length && input.hasNext()) {
                rows[count] = keep(input.next(), count);
                count++;
            }
            size = count;
            nullsFrom = -1;
            return count;
        }

        @Override
        InternalRow get(int i) {
            return rows[i];
        }

        /**
         * Reads a feature of rows {@code [from, from + count)}. Whether any of those rows holds a
         * null is found once for all the features of the rows: reading a null flag per value costs
         * as much as reading the value.
         */
        @Override
        public boolean numbers(int feature, int from, int count, FeatureEncoder.Numbers into) {
            if (from != nullsFrom || count != nullsCount) {
                anyNull = false;
                for (int i = from; i < from + count && !anyNull; i++) {
                    anyNull = rows[i].anyNull();
                }
                nullsFrom = from;
                nullsCount = count;
            }
            return reader.numbers(rows, from, count, feature, into, anyNull);
        }

        /** Copies the row into this slot's reusable buffer: Spark reuses the input row object. */
        private InternalRow keep(InternalRow row, int slot) {
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

        @Override
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
            return reader.numbers(batch, start + from, count, feature, into.values(), into.nulls());
        }
    }
}
