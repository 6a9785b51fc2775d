package io.propensitykit.spark;

import io.propensitykit.model.FeatureEncoder;
import io.propensitykit.model.FeatureProblem;
import io.propensitykit.model.FeatureSpec;
import io.propensitykit.model.ModelMetadata;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.unsafe.Platform;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link FeatureEncoder}'s view of Spark's {@link InternalRow}: features read by ordinal from
 * one column per feature or from one numeric array column, with no conversion of their own. Types
 * are checked on the driver, where a column of the wrong type fails before any task runs.
 */
final class FeatureReader implements Serializable {

    private static final long serialVersionUID = 1L;

    private enum Kind { BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, DECIMAL, STRING, BOOLEAN }

    private final String[] names;
    private final int[] ordinals;
    private final Kind[] kinds;
    private final int[] precision;
    private final int[] scale;
    private final int arrayOrdinal;
    private final Kind arrayKind;
    private final int width;
    /**
     * The kinds as int codes, for the switch of the row fast path, and the one code every feature
     * shares, else {@link #OTHER}.
     */
    private final int[] codes;
    private final int sameKind;

    private static final int OTHER = 0;
    private static final int F32 = 1;
    private static final int F64 = 2;
    private static final int I32 = 3;
    private static final int I64 = 4;
    private static final int I16 = 5;
    private static final int I8 = 6;

    private FeatureReader(String[] names, int[] ordinals, Kind[] kinds, int[] precision,
            int[] scale, int arrayOrdinal, Kind arrayKind, int width) {
        this.names = names;
        this.ordinals = ordinals;
        this.kinds = kinds;
        this.precision = precision;
        this.scale = scale;
        this.arrayOrdinal = arrayOrdinal;
        this.arrayKind = arrayKind;
        this.width = width;
        this.codes = new int[kinds == null ? 0 : kinds.length];
        int same = codes.length == 0 ? OTHER : code(kinds[0]);
        for (int j = 0; j < codes.length; j++) {
            codes[j] = code(kinds[j]);
            same = codes[j] == same ? same : OTHER;
        }
        this.sameKind = same;
    }

    private static int code(Kind kind) {
        return switch (kind) {
            case FLOAT -> F32;
            case DOUBLE -> F64;
            case INT -> I32;
            case LONG -> I64;
            case SHORT -> I16;
            case BYTE -> I8;
            case DECIMAL, STRING, BOOLEAN -> OTHER;
        };
    }

    /**
     * Reads one column per feature. {@code inputCols} may rename the metadata's features; by default
     * each feature is looked up by its metadata name.
     */
    static FeatureReader columns(StructType schema, ModelMetadata model, List<String> inputCols) {
        List<String> features = model.features();
        List<String> cols = inputCols == null ? features : inputCols;
        if (cols.size() != features.size()) {
            throw new IllegalArgumentException("inputCols has " + cols.size() + " columns " + cols + " but model '"
                    + model.name() + "' takes " + features.size() + " features " + features);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String c : cols) {
            if (!seen.add(c)) {
                throw new IllegalArgumentException("inputCols lists column '" + c + "' twice in " + cols + "; each of"
                        + " model '" + model.name() + "''s features " + features + " reads a column of its own");
            }
        }
        int n = cols.size();
        int[] ordinals = new int[n];
        Kind[] kinds = new Kind[n];
        int[] precision = new int[n];
        int[] scale = new int[n];
        List<String> missing = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            int ordinal = find(schema, cols.get(j));
            if (ordinal < 0) {
                missing.add(cols.get(j));
                continue;
            }
            StructField field = schema.fields()[ordinal];
            ordinals[j] = ordinal;
            FeatureSpec spec = model.spec();
            if (spec != null && spec.isCategorical(j) && field.dataType() instanceof StringType) {
                kinds[j] = Kind.STRING;
            } else if (spec != null && spec.isCategorical(j) && field.dataType() instanceof BooleanType) {
                kinds[j] = Kind.BOOLEAN;
            } else {
                kinds[j] = kindOf(field.dataType(), field.name());
            }
            if (field.dataType() instanceof DecimalType d) {
                precision[j] = d.precision();
                scale[j] = d.scale();
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Model '" + model.name() + "' needs feature column(s) "
                    + missing + ", which the DataFrame lacks. Its columns are " + List.of(schema.fieldNames())
                    + ". Rename them, or map them with inputCols (in the model's order " + features + ").");
        }
        return new FeatureReader(cols.toArray(new String[0]), ordinals, kinds,
                precision, scale, -1, null, n);
    }

    /** @return the ordinals of the columns this reader reads: one per feature, or the one array column */
    int[] ordinalsRead() {
        return ordinals != null ? ordinals.clone() : new int[] {arrayOrdinal};
    }

    /** Reads all features from one array column, which must hold exactly as many numbers as the model takes. */
    static FeatureReader array(StructType schema, ModelMetadata model, String featuresCol) {
        int ordinal = find(schema, featuresCol);
        if (ordinal < 0) {
            throw new IllegalArgumentException("featuresCol '" + featuresCol + "' is not a column of the DataFrame: "
                    + List.of(schema.fieldNames()));
        }
        StructField field = schema.fields()[ordinal];
        if (!(field.dataType() instanceof ArrayType array)) {
            String hint = field.dataType().typeName().equals("vector")
                    ? " For an ML Vector use org.apache.spark.ml.functions.vector_to_array(col) first." : "";
            throw new IllegalArgumentException("featuresCol '" + field.name() + "' has type "
                    + field.dataType().simpleString() + "; it must be an array of numbers." + hint);
        }
        if (model.spec() != null) {
            throw new IllegalArgumentException("Model '" + model.name() + "' encodes its raw columns "
                    + model.features() + " with a feature spec; give them as columns, not as one array column.");
        }
        Kind kind = kindOf(array.elementType(), field.name() + " (its elements)");
        if (kind == Kind.DECIMAL) {
            throw new IllegalArgumentException("featuresCol '" + field.name() + "' holds decimals; cast it to"
                    + " array<double> first.");
        }
        return new FeatureReader(new String[] {field.name()}, null, null, null, null,
                ordinal, kind, model.featureCount());
    }

    /**
     * The ordinal of a column, resolved as Spark resolves names (case-insensitively unless
     * {@code spark.sql.caseSensitive} is set), or -1. Two matches are an error, never a guess.
     */
    static int find(StructType schema, String name) {
        boolean caseSensitive = SQLConf.get().caseSensitiveAnalysis();
        String[] fields = schema.fieldNames();
        List<Integer> matches = new ArrayList<>();
        for (int i = 0; i < fields.length; i++) {
            if (caseSensitive ? fields[i].equals(name) : fields[i].equalsIgnoreCase(name)) {
                matches.add(i);
            }
        }
        if (matches.size() > 1) {
            List<String> found = matches.stream().map(i -> fields[i]).toList();
            throw new IllegalArgumentException("Column '" + name + "' is ambiguous: the DataFrame has " + matches.size()
                    + " columns that match it, " + found + (new java.util.HashSet<>(found).size() < found.size()
                            ? " (a join keeps both sides' columns)" : " (names are matched without case)")
                    + ". Drop or rename all but one before scoring, for example with withColumnRenamed.");
        }
        return matches.isEmpty() ? -1 : matches.get(0);
    }

    private static Kind kindOf(DataType type, String column) {
        if (type instanceof DoubleType) {
            return Kind.DOUBLE;
        } else if (type instanceof FloatType) {
            return Kind.FLOAT;
        } else if (type instanceof IntegerType) {
            return Kind.INT;
        } else if (type instanceof LongType) {
            return Kind.LONG;
        } else if (type instanceof ShortType) {
            return Kind.SHORT;
        } else if (type instanceof ByteType) {
            return Kind.BYTE;
        } else if (type instanceof DecimalType) {
            return Kind.DECIMAL;
        }
        throw new IllegalArgumentException("Feature column '" + column + "' has type " + type.simpleString()
                + ", not a number. Cast it (for example col(\"" + column + "\").cast(\"double\")), or encode it"
                + " as numbers before scoring.");
    }

    /** @return the number of features per row */
    int width() {
        return width;
    }

    /**
     * Reads a numeric feature column of a columnar batch in one go, for the encoder's bulk path.
     *
     * @return false when the feature is not a plain numeric column (then it is read row by row)
     */
    boolean numbers(ColumnarBatch batch, int start, int n, int feature, FeatureEncoder.Numbers into) {
        if (ordinals == null) {
            return false;
        }
        double[] x = into.values();
        boolean[] nulls = into.nulls();
        ColumnVector v = batch.column(ordinals[feature]);
        switch (kinds[feature]) {
            case DOUBLE -> {
                for (int i = 0; i < n; i++) {
                    x[i] = v.getDouble(start + i);
                }
            }
            case FLOAT -> {
                for (int i = 0; i < n; i++) {
                    x[i] = v.getFloat(start + i);
                }
            }
            case INT -> {
                for (int i = 0; i < n; i++) {
                    x[i] = v.getInt(start + i);
                }
            }
            case LONG -> {
                for (int i = 0; i < n; i++) {
                    x[i] = v.getLong(start + i);
                }
            }
            default -> {
                return false;
            }
        }
        if (!v.hasNull()) {
            into.noNulls();
            return true;
        }
        for (int i = 0; i < n; i++) {
            nulls[i] = v.isNullAt(start + i);
        }
        return true;
    }

    /** @return a reusable view of one row at a time, for one task's thread */
    Cursor cursor() {
        return new Cursor();
    }

    /** The encoder's view of an {@link InternalRow}: typed reads by ordinal, no conversion, no copy. */
    final class Cursor implements FeatureEncoder.Values {
        private InternalRow row;
        private ArrayData array;

        Cursor at(InternalRow current) {
            this.row = current;
            if (ordinals == null) {
                array = current.isNullAt(arrayOrdinal) ? null : current.getArray(arrayOrdinal);
            }
            return this;
        }

        /**
         * Names what holds the value a problem of the current row is about, for error messages.
         *
         * @param problem the encoder's problem with this row
         * @return for example {@code column 'recency'} or {@code column 'features' element 2}
         */
        String subject(FeatureProblem problem) {
            if (ordinals != null) {
                return "column '" + names[problem.feature()] + "'";
            }
            return array == null || problem.reason() == FeatureProblem.Reason.WRONG_WIDTH ? "column '" + names[0] + "'"
                    : "column '" + names[0] + "' element " + problem.feature();
        }

        @Override
        public int size() {
            return ordinals != null || array == null ? width : array.numElements();
        }

        @Override
        public boolean isNull(int feature) {
            return ordinals != null ? row.isNullAt(ordinals[feature]) : array == null || array.isNullAt(feature);
        }

        @Override
        public boolean isText(int feature) {
            return ordinals != null && (kinds[feature] == Kind.STRING || kinds[feature] == Kind.BOOLEAN);
        }

        @Override
        public double number(int feature) {
            if (ordinals == null) {
                return switch (arrayKind) {
                    case DOUBLE -> array.getDouble(feature);
                    case FLOAT -> array.getFloat(feature);
                    case INT -> array.getInt(feature);
                    case LONG -> array.getLong(feature);
                    case SHORT -> array.getShort(feature);
                    case BYTE -> array.getByte(feature);
                    case DECIMAL, STRING, BOOLEAN -> throw new IllegalStateException("rejected on the driver");
                };
            }
            int ordinal = ordinals[feature];
            return switch (kinds[feature]) {
                case DOUBLE -> row.getDouble(ordinal);
                case FLOAT -> row.getFloat(ordinal);
                case INT -> row.getInt(ordinal);
                case LONG -> row.getLong(ordinal);
                case SHORT -> row.getShort(ordinal);
                case BYTE -> row.getByte(ordinal);
                case DECIMAL -> row.getDecimal(ordinal, precision[feature], scale[feature]).toDouble();
                case STRING, BOOLEAN -> throw new IllegalStateException("a text column is read with text()");
            };
        }

        /**
         * Reads every feature of a row with no null as a number, one typed read per value: the
         * encoder's fast path for a row of numbers.
         */
        @Override
        public boolean numbers(double[] into) {
            if (ordinals == null || row.anyNull()) {
                return false;
            }
            if (row instanceof UnsafeRow unsafe && sameKind != OTHER) {
                // UnsafeRow's layout (a null bit set, then 8 bytes per field), read from the row's
                // base once, not through a getter that finds the base per value: twice as fast.
                Object base = unsafe.getBaseObject();
                long values = unsafe.getBaseOffset() + UnsafeRow.calculateBitSetWidthInBytes(unsafe.numFields());
                if (sameKind == F32) {
                    for (int j = 0; j < width; j++) {
                        into[j] = Platform.getFloat(base, values + ((long) ordinals[j] << 3));
                    }
                    return true;
                }
                if (sameKind == F64) {
                    for (int j = 0; j < width; j++) {
                        into[j] = Platform.getDouble(base, values + ((long) ordinals[j] << 3));
                    }
                    return true;
                }
            }
            for (int j = 0; j < width; j++) {
                int ordinal = ordinals[j];
                switch (codes[j]) {
                    case F32 -> into[j] = row.getFloat(ordinal);
                    case F64 -> into[j] = row.getDouble(ordinal);
                    case I32 -> into[j] = row.getInt(ordinal);
                    case I64 -> into[j] = row.getLong(ordinal);
                    case I16 -> into[j] = row.getShort(ordinal);
                    case I8 -> into[j] = row.getByte(ordinal);
                    // Decimals and text: one value at a time.
                    default -> {
                        return false;
                    }
                }
            }
            return true;
        }

        @Override
        public String text(int feature) {
            return kinds[feature] == Kind.BOOLEAN ? String.valueOf(row.getBoolean(ordinals[feature]))
                    : row.getUTF8String(ordinals[feature]).toString();
        }
    }
}
