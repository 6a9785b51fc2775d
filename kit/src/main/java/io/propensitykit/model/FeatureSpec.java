package io.propensitykit.model;

import com.google.gson.JsonObject;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How raw columns become the model's input vector: numeric columns standardized, after a
 * {@code log1p} where asked (nulls imputed
 * with the mean and flagged in a {@code _missing} indicator when the training data had any),
 * categorical columns one-hot encoded with an unknown bucket for unseen values and nulls, in a
 * fixed order. Fitted once on training data, saved with the model, and applied unchanged when
 * scoring, so training and serving cannot drift apart.
 *
 * <pre>{@code
 * FeatureSpec spec = FeatureSpec.fit(rows, List.of("recency_days", "monetary"), List.of("channel"), 20);
 * float[] x = new float[spec.width()];
 * FeatureProblem problem = spec.encode(new Object[] {12, 230.5, "web"}, x, 0);   // null: encoded
 * }</pre>
 *
 * <p>Fitting lives in {@link FeatureFit}, the JSON in {@link FeatureSpecJson}; equality is by that
 * JSON, so what is saved is what is scored ({@code FeatureSpecTest} round-trips specs and encodes alike).
 */
public final class FeatureSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The encoded name of the unknown bucket of a categorical column. */
    public static final String UNKNOWN = "<unknown>";

    private final List<Column> columns;
    private final int[] offsets;
    private final int width;
    // The numeric columns' parameters as arrays, for the encoder's per-value path.
    private final double[] mean;
    private final double[] inverseStd;
    private final boolean[] log;
    private final boolean[] missingFlag;
    /**
     * Whether every column is a number that is only standardized (no {@code log1p}, no missing flag):
     * then column {@code i} is encoded value {@code i}.
     */
    private final boolean plain;

    /** One raw column's encoding. */
    record Column(String name, boolean categorical, boolean log, double mean, double std,
            boolean missingFlag, List<String> levels, Map<String, Integer> index) implements Serializable {

        int width() {
            return categorical ? levels.size() + 1 : missingFlag ? 2 : 1;
        }
    }

    /**
     * A term of a propensity specification computed from numeric raw columns, encoded (and
     * standardized) after them, as Dehejia and Wahba specify: squares and cubes, interactions, and
     * indicators of zero ({@code u74 = re74 == 0}).
     *
     * <pre>{@code
     * List.of(Term.power("age", 2), Term.power("age", 3), Term.product("educ", "re74"), Term.zero("re74"))
     * }</pre>
     *
     * @param op {@code power}, {@code product} or {@code zero}
     * @param of the raw columns it reads: one, or two for a product
     * @param power the exponent of a power
     */
    public record Term(String op, List<String> of, int power) implements Serializable {

        /** Validates the term. */
        public Term {
            of = List.copyOf(of);
            boolean ok = switch (op) {
                case "power" -> of.size() == 1 && power >= 2;
                case "product" -> of.size() == 2;
                case "zero" -> of.size() == 1;
                default -> false;
            };
            if (!ok) {
                throw new IllegalArgumentException("Unknown specification term " + op + of + (power > 0 ? "^" + power
                        : "") + ": use power(col, k >= 2), product(a, b) or zero(col)");
            }
        }

        /** @param col a numeric column @param k the exponent, at least 2 @return {@code col^k} */
        public static Term power(String col, int k) {
            return new Term("power", List.of(col), k);
        }

        /** @param a a numeric column @param b another @return {@code a*b} */
        public static Term product(String a, String b) {
            return new Term("product", List.of(a, b), 0);
        }

        /** @param col a numeric column @return {@code col==0}: 1 where it is zero, else 0 */
        public static Term zero(String col) {
            return new Term("zero", List.of(col), 0);
        }

        /** @return the term's encoded name, such as {@code age^2}, {@code educ*re74} or {@code re74==0} */
        public String name() {
            return switch (op) {
                case "power" -> of.get(0) + "^" + power;
                case "product" -> of.get(0) + "*" + of.get(1);
                default -> of.get(0) + "==0";
            };
        }

        /** The term's value from its columns' values. */
        double value(double a, double b) {
            return switch (op) {
                case "power" -> Math.pow(a, power);
                case "product" -> a * b;
                default -> a == 0 ? 1 : 0;
            };
        }
    }

    /** A fitted term: where its columns are among the raw ones, and its standardization. */
    record Derived(Term term, int[] bases, double mean, double std) implements Serializable {}

    private final List<Derived> terms;
    private transient volatile FeatureEncoder encoder;

    FeatureSpec(List<Column> columns) {
        this(columns, List.of());
    }

    FeatureSpec(List<Column> columns, List<Derived> terms) {
        this.columns = List.copyOf(columns);
        this.terms = List.copyOf(terms);
        this.offsets = new int[columns.size()];
        int w = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = w;
            w += columns.get(i).width();
        }
        this.width = w + terms.size();
        int n = columns.size();
        this.mean = new double[n];
        this.inverseStd = new double[n];
        this.log = new boolean[n];
        this.missingFlag = new boolean[n];
        for (int i = 0; i < n; i++) {
            Column c = columns.get(i);
            mean[i] = c.mean();
            inverseStd[i] = 1.0 / c.std();
            log[i] = c.log();
            missingFlag[i] = c.missingFlag();
        }
        boolean standardizedOnly = true;
        for (Column c : this.columns) {
            standardizedOnly &= !c.categorical() && !c.log() && !c.missingFlag();
        }
        this.plain = standardizedOnly;
    }

    /**
     * Fits the spec on raw rows.
     *
     * @param rows raw values, one array per row, numeric columns first then categorical, in the
     *     order of the two name lists
     * @param numeric the numeric column names
     * @param categorical the categorical column names
     * @param maxLevels the most frequent levels kept per categorical column; rarer ones go to the
     *     unknown bucket
     * @return the fitted spec
     */
    public static FeatureSpec fit(List<Object[]> rows, List<String> numeric, List<String> categorical, int maxLevels) {
        return fitting(numeric, categorical).optMaxLevels(maxLevels).fit(rows);
    }

    /**
     * Starts a fit with more than the columns: {@code log1p} columns and specification terms.
     *
     * @param numeric the numeric column names
     * @param categorical the categorical column names
     * @return the fit to configure, then run with {@link FeatureFit#fit(List)}
     */
    public static FeatureFit fitting(List<String> numeric, List<String> categorical) {
        return new FeatureFit(numeric, categorical);
    }

    static Column categorical(String name, List<String> levels) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < levels.size(); i++) {
            index.put(levels.get(i), i);
        }
        return new Column(name, true, false, 0, 1, false, List.copyOf(levels), index);
    }

    /** The fitted columns, for the terms fitted after them. */
    List<Column> columns() {
        return columns;
    }

    /** @return the raw input columns, in the order {@link #encode} takes them */
    public List<String> inputColumns() {
        return columns.stream().map(Column::name).toList();
    }

    /**
     * @param i a raw column index
     * @return whether raw column {@code i} is categorical
     */
    public boolean isCategorical(int i) {
        return columns.get(i).categorical();
    }

    /** @return the length of the encoded vector: the model's input width */
    public int width() {
        return width;
    }

    /** @return a name for each encoded position, e.g. {@code recency_days}, {@code channel=web}, {@code channel=<unknown>} */
    public List<String> encodedNames() {
        List<String> names = new ArrayList<>();
        for (Column c : columns) {
            if (c.categorical()) {
                c.levels().forEach(level -> names.add(c.name() + "=" + level));
                names.add(c.name() + "=" + UNKNOWN);
            } else {
                names.add(c.name());
                if (c.missingFlag()) {
                    names.add(c.name() + "_missing");
                }
            }
        }
        terms.forEach(d -> names.add(d.term().name()));
        return names;
    }

    /** @return the specification terms, encoded after the raw columns */
    public List<Term> terms() {
        return terms.stream().map(Derived::term).toList();
    }

    /** The fitted terms, for {@link FeatureSpecJson}. */
    List<Derived> derived() {
        return terms;
    }

    /** @return how many specification terms follow the raw columns */
    int termCount() {
        return terms.size();
    }

    /**
     * Encodes term {@code k} of a row from its columns' values; a null column gives the term's mean.
     *
     * @return why it cannot be encoded, or null
     */
    FeatureProblem.Reason encodeTerm(int k, FeatureEncoder.Values row, float[] out, int offset) {
        Derived d = terms.get(k);
        int[] bases = d.bases();
        int position = offset + width - terms.size() + k;
        if (row.isNull(bases[0]) || bases.length > 1 && row.isNull(bases[1])) {
            out[position] = 0f;
            return null;
        }
        double v = d.term().value(row.number(bases[0]), bases.length > 1 ? row.number(bases[1]) : 0);
        float encoded = (float) ((v - d.mean()) / d.std());
        if (!Float.isFinite(encoded)) {
            return FeatureProblem.Reason.OVERFLOW;
        }
        out[position] = encoded;
        return null;
    }

    /** @return the raw column a term's problem is reported on: its first column */
    int termColumn(int k) {
        return terms.get(k).bases()[0];
    }

    /**
     * Encodes one row with the {@link FeatureEncoder}.
     *
     * @param raw the raw values in {@link #inputColumns()} order: numbers, strings, or null
     * @param out receives the {@link #width()} encoded values
     * @param offset where in {@code out} the row starts
     * @return null when the row was encoded, else why it cannot be (a NaN, an infinity, a null in a
     *     numeric column that had no nulls in training, ...)
     */
    public FeatureProblem encode(Object[] raw, float[] out, int offset) {
        return encoder().encode(RawValues.of(raw), out, offset);
    }

    /** @return the encoder of this spec: immutable, made once, shared by every thread */
    public FeatureEncoder encoder() {
        FeatureEncoder e = encoder;
        if (e == null) {
            e = new FeatureEncoder(this);
            encoder = e;
        }
        return e;
    }

    /** The level text of a number in a categorical column: integral numbers without a decimal point. */
    static String level(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** The level text of a training value: as {@link FeatureEncoder} reads it when scoring. */
    static String level(Object v) {
        return v instanceof Number n ? level(n.doubleValue()) : v.toString();
    }

    /**
     * The arithmetic of numeric column {@code i}: {@code log1p} where asked, then standardized. Any
     * value that cannot be encoded gives a non-finite result. Multiplying by 1/std is within one
     * double ulp of dividing (far below float32's precision) and costs a fraction of it.
     */
    private float encoded(int i, double x) {
        return (float) (((log[i] ? Math.log1p(x) : x) - mean[i]) * inverseStd[i]);
    }

    /** Encodes a number of numeric column {@code i}: standardized, after {@code log1p} where asked. */
    FeatureProblem.Reason encodeNumber(int i, double x, float[] out, int offset) {
        if (!Double.isFinite(x)) {
            return FeatureProblem.Reason.NOT_FINITE;
        }
        if (log[i] && x <= -1) {
            return FeatureProblem.Reason.OUTSIDE_LOG1P;
        }
        // A finite value can still overflow the model's float input once standardized (1e300, say).
        float encoded = encoded(i, x);
        if (!Float.isFinite(encoded)) {
            return FeatureProblem.Reason.OVERFLOW;
        }
        int p = offset + offsets[i];
        out[p] = encoded;
        if (missingFlag[i]) {
            out[p + 1] = 0f;
        }
        return null;
    }

    /**
     * Encodes a row whose every column is numeric and not null, as {@link #encodeNumber} does one
     * value at a time, and says whether every value encoded. As in {@link #encodeNumbers}, a value
     * is valid exactly when its encoding is finite; on false the caller encodes the row value by
     * value for the reason.
     *
     * @param x the row's values, column {@code i} at index {@code i}
     * @param out receives the encoded row from {@code offset}
     * @return whether every value encoded
     */
    boolean encodeNumberRow(double[] x, float[] out, int offset) {
        if (plain) {
            boolean finite = true;
            for (int i = 0; i < offsets.length; i++) {
                float encoded = (float) ((x[i] - mean[i]) * inverseStd[i]);
                finite &= Math.abs(encoded) <= Float.MAX_VALUE;
                out[offset + i] = encoded;
            }
            return finite;
        }
        for (int i = 0; i < offsets.length; i++) {
            float encoded = encoded(i, x[i]);
            if (!Float.isFinite(encoded)) {
                return false;
            }
            int p = offset + offsets[i];
            out[p] = encoded;
            if (missingFlag[i]) {
                out[p + 1] = 0f;
            }
        }
        return true;
    }

    /**
     * Encodes numeric column {@code i} of a block of rows, as {@link #encodeNumber} and
     * {@link #encodeNull} do one value at a time, with the column's constants read once. Any value
     * whose encoding is finite is valid (NaN, infinity, {@code log1p} of -1 or less and overflow all
     * give a non-finite encoding), so only those rows go through the one-value checks for a reason.
     * When no value is null, one tight pass encodes them all and notes whether each was finite;
     * only a block with a problem is encoded again, value by value.
     *
     * @param x the values of rows {@code [0, n)}
     * @param nulls whether each is null
     * @param anyNull false when no value is null: then {@code nulls} need not hold anything
     * @param out the encoded rows, {@code width} values each, from {@code offset}
     * @param reasons receives, per row, null or why its value cannot be encoded; not written when
     *     every value encodes
     * @return how many rows have a reason
     */
    int encodeNumbers(int i, double[] x, boolean[] nulls, boolean anyNull, int n, float[] out, int offset, int width,
            FeatureProblem.Reason[] reasons) {
        if (!anyNull) {
            boolean flagged = missingFlag[i];
            boolean finite = true;
            for (int r = 0, p = offset + offsets[i]; r < n; r++, p += width) {
                float encoded = encoded(i, x[r]);
                finite &= Math.abs(encoded) <= Float.MAX_VALUE;
                out[p] = encoded;
                if (flagged) {
                    out[p + 1] = 0f;
                }
            }
            if (finite) {
                return 0;
            }
            // The reader left the null flags unwritten.
            java.util.Arrays.fill(nulls, 0, n, false);
        }
        return encodeEach(i, x, nulls, n, out, offset, width, reasons);
    }

    /** {@link #encodeNumbers} value by value, with a reason for each. */
    private int encodeEach(int i, double[] x, boolean[] nulls, int n, float[] out, int offset, int width,
            FeatureProblem.Reason[] reasons) {
        boolean flagged = missingFlag[i];
        int bad = 0;
        for (int r = 0, at = offset, p = offset + offsets[i]; r < n; r++, at += width, p += width) {
            double v = x[r];
            float encoded = encoded(i, v);
            FeatureProblem.Reason reason = null;
            if (nulls[r]) {
                reason = encodeNull(i, out, at);
            } else if (Float.isFinite(encoded)) {
                out[p] = encoded;
                if (flagged) {
                    out[p + 1] = 0f;
                }
            } else {
                reason = encodeNumber(i, v, out, at);
            }
            reasons[r] = reason;
            if (reason != null) {
                bad++;
            }
        }
        return bad;
    }

    /** Encodes a level of categorical column {@code i}: its one-hot slot, or the unknown bucket. */
    FeatureProblem.Reason encodeLevel(int i, String value, float[] out, int offset) {
        Integer level = columns.get(i).index().get(value);
        oneHot(i, level == null ? columns.get(i).levels().size() : level, out, offset);
        return null;
    }

    private void oneHot(int i, int slot, float[] out, int offset) {
        int start = offset + offsets[i];
        java.util.Arrays.fill(out, start, start + columns.get(i).levels().size() + 1, 0f);
        out[start + slot] = 1f;
    }

    /** Encodes a null in column {@code i}: the unknown bucket, or the mean and the missing flag. */
    FeatureProblem.Reason encodeNull(int i, float[] out, int offset) {
        if (columns.get(i).categorical()) {
            oneHot(i, columns.get(i).levels().size(), out, offset);
            return null;
        }
        if (!missingFlag[i]) {
            return FeatureProblem.Reason.NULL;
        }
        out[offset + offsets[i]] = 0f;
        out[offset + offsets[i] + 1] = 1f;
        return null;
    }

    /**
     * The spec of a model whose features are all numbers, standardized with the given means and
     * standard deviations, or taken as they are when there are none: how the kit reads metadata
     * that has {@code preprocessing} instead of a {@code feature_spec}.
     *
     * @param names the feature names
     * @param means one mean per feature, or null
     * @param stds one positive standard deviation per feature, or null
     * @return an all-numeric spec without missing indicators
     */
    public static FeatureSpec standardized(List<String> names, double[] means, double[] stds) {
        List<Column> columns = new ArrayList<>();
        for (int j = 0; j < names.size(); j++) {
            columns.add(new Column(names.get(j), false, false, means == null ? 0 : means[j],
                    stds == null ? 1 : stds[j], false, List.of(), Map.of()));
        }
        return new FeatureSpec(columns);
    }

    /** @return the spec as the JSON kept in the model's metadata */
    public JsonObject toJson() {
        return FeatureSpecJson.render(this);
    }

    /**
     * Reads a spec from its metadata JSON.
     *
     * @param json the object written by {@link #toJson()}
     * @return the spec
     */
    public static FeatureSpec fromJson(JsonObject json) {
        return FeatureSpecJson.parse(json);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureSpec s && toJson().equals(s.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }
}
