package io.propensitykit.model;

import java.io.Serializable;

/**
 * The one place that decides whether a row can be scored and how it is encoded: every front end
 * (the batched scorer, the SQL functions, the Transformer, {@link PropensityModel#predict}) hands
 * its rows to this encoder through a {@link Values} adapter, and gets either the encoded row or a
 * {@link FeatureProblem}. The arithmetic (standardization, {@code log1p}, missing indicators,
 * one-hot levels) is the model's {@link FeatureSpec}.
 *
 * <pre>{@code
 * FeatureEncoder encoder = model.metadata().encoding().encoder();
 * float[] x = new float[encoder.width()];
 * FeatureProblem problem = encoder.encode(RawValues.of(new Object[] {12, 230.5, "web"}), x, 0);
 * }</pre>
 */
public final class FeatureEncoder implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * One row's raw values, read by feature index in the model's order. Adapters read Spark's
     * rows, plain arrays or SQL arguments; they convert nothing themselves.
     */
    public interface Values {
        /** @return how many values the row holds (an array column may hold the wrong number) */
        int size();

        /**
         * @param feature the feature index
         * @return whether the value is null
         */
        boolean isNull(int feature);

        /**
         * @param feature the feature index
         * @return whether the value is text (a string or a boolean) rather than a number
         */
        boolean isText(int feature);

        /**
         * @param feature the feature index of a non-null number
         * @return the value
         */
        double number(int feature);

        /**
         * @param feature the feature index of a non-null text value
         * @return the value as text
         */
        String text(int feature);

        /**
         * Reads every feature of the row as a number in one go, when the adapter can do that
         * cheaply: the fast path of {@link FeatureEncoder#encode(Values, float[], int, double[])}.
         *
         * @param into receives feature {@code j}'s value at index {@code j}
         * @return false when some feature is null or text, or the row does not hold exactly the
         *     model's features, or the adapter does not read rows in one go (the default): then each
         *     value is read on its own
         */
        default boolean numbers(double[] into) {
            return false;
        }
    }

    /**
     * A block of rows that the encoder reads column by column: numeric features in bulk where the
     * block can (a columnar batch), every other feature row by row through {@link #row}.
     */
    public interface Block {
        /** @return the rows in the block */
        int rows();

        /**
         * @param i a row of the block
         * @return a view of the row, valid until the next call
         */
        Values row(int i);

        /**
         * Reads a numeric feature of some rows of the block in one go.
         *
         * @param feature the feature index
         * @param from the first row
         * @param count how many rows
         * @param into receives the values and null flags of rows {@code [from, from + count)} from index 0 on
         * @return false when the block cannot read this feature in bulk (then it is read row by row)
         */
        boolean numbers(int feature, int from, int count, Numbers into);
    }

    /** Scratch space for one numeric feature of some rows: their values and null flags, from index 0. */
    public static final class Numbers {
        private final double[] values;
        private final boolean[] nulls;
        /** Whether any value read may be null; the encoder sets it before each read. */
        private boolean anyNull;

        Numbers(int capacity) {
            values = new double[capacity];
            nulls = new boolean[capacity];
        }

        /** @return the values; a null's slot holds no meaning */
        public double[] values() {
            return values;
        }

        /** @return whether each value is null */
        public boolean[] nulls() {
            return nulls;
        }

        /**
         * Tells the encoder that no value just read is null, so that it need not read {@link #nulls()}.
         * Until a reader says so, the encoder reads them.
         */
        public void noNulls() {
            anyNull = false;
        }
    }

    /**
     * Rows encoded together, feature by feature: few enough that their raw values and encoded rows
     * stay in the core's cache while every feature passes over them.
     */
    private static final int TILE = 256;

    private final FeatureSpec spec;
    private final boolean[] categorical;
    private final int terms;
    /** Whether no feature is categorical: then a row of numbers can take the fast path. */
    private final boolean allNumeric;

    /**
     * @param spec the model's encoding, {@link ModelMetadata#encoding()}
     */
    FeatureEncoder(FeatureSpec spec) {
        this.spec = spec;
        this.terms = spec.termCount();
        this.categorical = new boolean[spec.inputColumns().size()];
        for (int j = 0; j < categorical.length; j++) {
            categorical[j] = spec.isCategorical(j);
        }
        boolean numeric = true;
        for (boolean c : categorical) {
            numeric &= !c;
        }
        this.allNumeric = numeric;
    }

    /** @return the number of raw features a row holds */
    public int featureCount() {
        return categorical.length;
    }

    /** @return the width of an encoded row */
    public int width() {
        return spec.width();
    }

    /**
     * Encodes one row into the sink, or says why it cannot be encoded (then the sink may hold part
     * of the row, which the caller discards).
     *
     * @param row the raw values
     * @param out receives {@link #width()} encoded values
     * @param offset where in {@code out} the row starts
     * @return null when the row was encoded, else the first problem
     */
    public FeatureProblem encode(Values row, float[] out, int offset) {
        int n = row.size();
        if (n != categorical.length) {
            return new FeatureProblem(0, new FeatureProblem.Width(n, categorical.length),
                    FeatureProblem.Reason.WRONG_WIDTH);
        }
        for (int j = 0; j < categorical.length; j++) {
            FeatureProblem problem = encode(row, j, out, offset);
            if (problem != null) {
                return problem;
            }
        }
        return encodeTerms(row, out, offset);
    }

    /**
     * {@link #encode(Values, float[], int)} with a fast path for a row of numbers: when the row reads
     * all its features in one go ({@link Values#numbers}) and each encodes, the row is encoded from
     * {@code raw} with no per-value call into the row. Otherwise, or when a value has a problem,
     * the row is encoded value by value, so the result and the first problem are the same.
     *
     * @param raw scratch space of at least {@link #featureCount()} values
     */
    public FeatureProblem encode(Values row, float[] out, int offset, double[] raw) {
        if (allNumeric && row.numbers(raw) && spec.encodeNumberRow(raw, out, offset)) {
            return terms == 0 ? null : encodeTerms(row, out, offset);
        }
        return encode(row, out, offset);
    }

    /** Encodes the specification's terms of a row whose raw columns are valid. */
    private FeatureProblem encodeTerms(Values row, float[] out, int offset) {
        for (int k = 0; k < terms; k++) {
            FeatureProblem.Reason reason = spec.encodeTerm(k, row, out, offset);
            if (reason != null) {
                int j = spec.termColumn(k);
                return new FeatureProblem(j, row.number(j), reason);
            }
        }
        return null;
    }

    /** Encodes feature {@code j} of one row: the one place that decides how a value is read. */
    private FeatureProblem encode(Values row, int j, float[] out, int offset) {
        FeatureProblem.Reason reason;
        if (row.isNull(j)) {
            reason = spec.encodeNull(j, out, offset);
        } else if (categorical[j]) {
            reason = spec.encodeLevel(j, row.isText(j) ? row.text(j) : FeatureSpec.level(row.number(j)), out, offset);
        } else if (row.isText(j)) {
            reason = FeatureProblem.Reason.NOT_A_NUMBER;
        } else {
            reason = spec.encodeNumber(j, row.number(j), out, offset);
        }
        if (reason == null) {
            return null;
        }
        Object value = reason == FeatureProblem.Reason.NULL ? null
                : reason == FeatureProblem.Reason.NOT_A_NUMBER ? row.text(j) : (Object) row.number(j);
        return new FeatureProblem(j, value, reason);
    }

    /**
     * Encodes a block of rows, feature by feature: the same values, the same problems and the same
     * first problem per row as {@link #encode(Values, float[], int)} row by row, with the numeric
     * features read in bulk. A row with a problem still takes its place in {@code out}, all zeros.
     *
     * @param block the rows
     * @param out receives {@code block.rows()} encoded rows of {@link #width()} values
     * @param offset where in {@code out} the first row starts
     * @param problems receives, per row, null or its first problem
     * @param scratch space for one feature of 256 rows
     * @param reasons scratch space of at least 256 reasons
     * @return how many rows have a problem
     */
    int encode(Block block, float[] out, int offset, FeatureProblem[] problems, Numbers scratch,
            FeatureProblem.Reason[] reasons) {
        int n = block.rows();
        int bad = 0;
        for (int from = 0; from < n; from += TILE) {
            bad += encodeRows(block, from, Math.min(TILE, n - from), out, offset, problems, scratch, reasons);
        }
        return bad;
    }

    /** @return scratch space for the block encoding of one feature of one tile */
    static Numbers scratch() {
        return new Numbers(TILE);
    }

    /** The block encoding of rows {@code [from, from + count)}, with scratch indices from 0. */
    private int encodeRows(Block block, int from, int count, float[] out, int offset, FeatureProblem[] problems,
            Numbers scratch, FeatureProblem.Reason[] reasons) {
        double[] x = scratch.values;
        boolean[] nulls = scratch.nulls;
        int width = spec.width();
        int end = from + count;
        int start = offset + from * width;
        int bad = 0;
        java.util.Arrays.fill(problems, from, end, null);
        for (int i = from; i < end; i++) {
            int size = block.row(i).size();
            if (size != categorical.length) {
                problems[i] = new FeatureProblem(0, new FeatureProblem.Width(size, categorical.length),
                        FeatureProblem.Reason.WRONG_WIDTH);
                bad++;
            }
        }
        for (int j = 0; j < categorical.length; j++) {
            scratch.anyNull = true;
            if (!categorical[j] && block.numbers(j, from, count, scratch)) {
                if (spec.encodeNumbers(j, x, nulls, scratch.anyNull, count, out, start, width, reasons) == 0) {
                    continue;
                }
                for (int k = 0; k < count; k++) {
                    if (reasons[k] != null && problems[from + k] == null) {
                        problems[from + k] = new FeatureProblem(j, nulls[k] ? null : x[k], reasons[k]);
                        bad++;
                    }
                }
            } else {
                for (int i = from, at = start; i < end; i++, at += width) {
                    if (problems[i] == null) {
                        problems[i] = encode(block.row(i), j, out, at);
                        if (problems[i] != null) {
                            bad++;
                        }
                    }
                }
            }
        }
        for (int i = from, at = start; terms > 0 && i < end; i++, at += width) {
            if (problems[i] == null) {
                problems[i] = encodeTerms(block.row(i), out, at);
                if (problems[i] != null) {
                    bad++;
                }
            }
        }
        for (int i = from, at = start; bad > 0 && i < end; i++, at += width) {
            if (problems[i] != null) {
                java.util.Arrays.fill(out, at, at + width, 0f);
            }
        }
        return bad;
    }
}
