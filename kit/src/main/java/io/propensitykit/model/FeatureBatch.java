package io.propensitykit.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A reusable, row-major batch of the model's encoded input. Raw rows go in through the model's
 * {@link FeatureEncoder} into a heap array; one bulk copy per prediction moves them into a direct
 * buffer that the tensor wraps without a further copy. Scores come back in an array owned by the
 * batch. Batches belong to their {@link ModelRuntime}, which reuses them from task to task, so
 * scoring allocates nothing per batch.
 *
 * <p>Not thread-safe: a batch is used through one {@link ModelLease} at a time.
 */
public final class FeatureBatch {

    private final FeatureEncoder encoder;
    private final int width;
    private final int capacity;
    private final float[] values;
    private final ByteBuffer bytes;
    private final FloatBuffer floats;
    private final float[] scores;
    // Scratch space for the encoder's bulk reads of a block.
    private final FeatureEncoder.Numbers column;
    private final FeatureProblem.Reason[] reasons;
    // Scratch space for one row's raw numbers.
    private final double[] raw;
    private int rows;

    FeatureBatch(FeatureEncoder encoder, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("batch size must be positive, found " + capacity);
        }
        this.encoder = encoder;
        this.width = encoder.width();
        this.capacity = capacity;
        this.values = new float[Math.multiplyExact(width, capacity)];
        this.bytes = ByteBuffer.allocateDirect(Math.multiplyExact(values.length, Float.BYTES))
                .order(ByteOrder.nativeOrder());
        this.floats = bytes.asFloatBuffer();
        this.scores = new float[capacity];
        this.column = FeatureEncoder.scratch();
        this.reasons = new FeatureProblem.Reason[capacity];
        this.raw = new double[encoder.featureCount()];
    }

    /**
     * Encodes one row of raw values with the model's {@link FeatureEncoder} and adds it to the batch.
     *
     * @param row the raw values, in the model's feature order
     * @return null when the row was added, else why it cannot be scored (and nothing was added)
     */
    public FeatureProblem add(FeatureEncoder.Values row) {
        FeatureProblem problem = encoder.encode(row, values, rows * width);
        if (problem == null) {
            rows++;
        }
        return problem;
    }

    /**
     * Encodes one row with the model's {@link FeatureEncoder} and adds it at the next place, whether
     * or not it can be scored: a row that cannot takes its place as zeros, as in {@link #addBlock}.
     * A row that holds only numbers is encoded in one pass ({@link FeatureEncoder.Values#numbers}).
     *
     * @param row the raw values, in the model's feature order; the batch must not be full
     * @return null when the row can be scored, else why not
     */
    public FeatureProblem addInOrder(FeatureEncoder.Values row) {
        if (rows == capacity) {
            throw new IllegalStateException("the batch is full: " + capacity + " rows");
        }
        int at = rows * width;
        FeatureProblem problem = encoder.encode(row, values, at, raw);
        if (problem != null) {
            Arrays.fill(values, at, at + width, 0f);
        }
        rows++;
        return problem;
    }

    /**
     * Encodes a block of rows with the model's {@link FeatureEncoder}, feature by feature, and adds
     * every row: a row that cannot be scored takes its place as zeros, and its problem says why.
     *
     * @param block the rows; they must fit
     * @param problems receives, per row of the block, null or its first problem
     * @return how many rows have a problem
     */
    public int addBlock(FeatureEncoder.Block block, FeatureProblem[] problems) {
        int n = block.rows();
        if (rows + n > capacity) {
            throw new IllegalArgumentException(n + " rows do not fit: " + rows + " of " + capacity + " taken");
        }
        int bad = encoder.encode(block, values, rows * width, problems, column, reasons);
        rows += n;
        return bad;
    }

    /**
     * Adds rows that are already encoded, {@link #width()} values per row.
     *
     * @param encoded the values, row after row
     * @param rowCount how many rows to add; they must fit
     */
    public void addEncoded(float[] encoded, int rowCount) {
        if (rows + rowCount > capacity) {
            throw new IllegalArgumentException(rowCount + " rows do not fit: " + rows + " of " + capacity + " taken");
        }
        System.arraycopy(encoded, 0, values, rows * width, rowCount * width);
        rows += rowCount;
    }

    /**
     * Adds a row whose every encoded input is {@code value}, such as the standardized centre 0.
     *
     * @param value the encoded value of every input
     */
    void addConstantRow(float value) {
        Arrays.fill(values, rows * width, (rows + 1) * width, value);
        rows++;
    }

    /** Forgets the rows, keeping the buffers. */
    public void clear() {
        rows = 0;
    }

    /** @return the number of complete rows */
    public int rows() {
        return rows;
    }

    /** @return whether no further row fits */
    public boolean isFull() {
        return rows == capacity;
    }

    /** @return the maximum number of rows */
    public int capacity() {
        return capacity;
    }

    /** @return the model's input width: encoded values per row */
    public int width() {
        return width;
    }

    /**
     * Returns the scores of the last prediction; index {@code i} belongs to row {@code i}.
     *
     * @return the array owned by this batch, overwritten by the next prediction
     */
    public float[] scores() {
        return scores;
    }

    /** The complete rows, copied in one go into the direct bytes a tensor wraps without copying. */
    ByteBuffer inputBytes() {
        floats.clear();
        floats.put(values, 0, rows * width);
        bytes.clear();
        bytes.limit(rows * width * Float.BYTES);
        return bytes;
    }
}
