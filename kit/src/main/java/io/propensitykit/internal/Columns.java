package io.propensitykit.internal;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;

import tech.tablesaw.api.Table;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The kit's one set of column checks, for DataFrames and Tablesaw tables alike: a 0/1 column
 * (label, treatment, outcome) holds 0 or 1 in every row, null being an error; a score is a
 * probability in [0, 1] in every row. Each error names the column, the count and a value, and
 * says what to do.
 */
public final class Columns {

    private Columns() {}

    /**
     * A column by its name as it is: dots, spaces and backticks are part of the name, not a path.
     *
     * @param name the column's name
     * @return the column
     */
    public static Column named(String name) {
        return functions.col("`" + name.replace("`", "``") + "`");
    }

    /**
     * The column as 0.0/1.0, after checking its type on the driver and its values in one pass.
     *
     * @param df the rows
     * @param col a numeric or boolean column
     * @return the column cast to double
     */
    public static Column binary(Dataset<?> df, String col) {
        requireNumericOrBoolean(df, col, "0/1 or boolean");
        Column[] tally = binaryTally(col);
        Row bad = df.agg(tally[0], tally[1], tally[2]).first();
        requireBinary(col, bad.getLong(0), bad.getLong(1), bad.get(2));
        return functions.col(col).cast("double");
    }

    /**
     * The column as a double, after checking it is numeric or boolean.
     *
     * @param df the rows
     * @param col the column
     * @return the column cast to double
     */
    public static Column numeric(Dataset<?> df, String col) {
        DataType type = df.schema().apply(col).dataType();
        if (!(type instanceof NumericType) && !(type instanceof BooleanType)) {
            throw new IllegalArgumentException("Covariate '" + col + "' has type " + type.simpleString()
                    + "; it must be numeric (one-hot encode categories first).");
        }
        return functions.col(col).cast("double");
    }

    /**
     * The rows as a score column {@code s} and a 0/1 label column {@code y} (both doubles), after
     * checking both in one pass.
     *
     * @param df the rows
     * @param scoreCol probabilities in [0, 1]
     * @param labelCol 0/1 or boolean
     * @return two columns, {@code s} and {@code y}
     */
    public static Dataset<Row> scoresAndLabels(Dataset<?> df, String scoreCol, String labelCol) {
        return withLabels(df, scoreCol, labelCol, true);
    }

    /**
     * As {@link #scoresAndLabels(Dataset, String, String)}, with more columns carried along.
     *
     * @param df the rows
     * @param scoreCol probabilities in [0, 1]
     * @param labelCol 0/1 or boolean
     * @param carried columns kept after {@code s} and {@code y}
     * @return {@code s}, {@code y} and the carried columns
     */
    public static Dataset<Row> scoresAndLabels(Dataset<?> df, String scoreCol, String labelCol, Column... carried) {
        return withLabels(df, scoreCol, labelCol, true, carried);
    }

    /**
     * The rows as a ranking value {@code s} (any number, none null or NaN) and a 0/1 label
     * {@code y}, after checking both in one pass.
     *
     * @param df the rows
     * @param valueCol a numeric column
     * @param labelCol 0/1 or boolean
     * @return two columns, {@code s} and {@code y}
     */
    public static Dataset<Row> valuesAndLabels(Dataset<?> df, String valueCol, String labelCol) {
        return withLabels(df, valueCol, labelCol, false);
    }

    private static Dataset<Row> withLabels(Dataset<?> df, String scoreCol, String labelCol, boolean probabilities,
            Column... carried) {
        Deferred checked = deferred(df, scoreCol, labelCol, probabilities, carried);
        Column[] checks = checked.checks();
        checked.verify(List.of(checked.rows().agg(checks[0], Arrays.copyOfRange(checks, 1, checks.length)).first()),
                0);
        return checked.rows().drop(LABEL_TEXT);
    }

    /** The label as text, beside {@code s} and {@code y} while the checks are deferred. */
    private static final String LABEL_TEXT = "_kit_label_text";

    /**
     * As {@link #scoresAndLabels(Dataset, String, String, Column...)}, without the pass that checks:
     * the checks come as aggregate columns, to fold into an aggregation the caller runs anyway, and
     * {@link Deferred#verify} reads them from its result before any number of it is used.
     *
     * @param df the rows
     * @param scoreCol probabilities in [0, 1]
     * @param labelCol 0/1 or boolean
     * @param carried columns kept after {@code s} and {@code y}
     * @return the columns, unchecked, and their checks
     */
    public static Deferred scoresAndLabelsDeferred(Dataset<?> df, String scoreCol, String labelCol,
            Column... carried) {
        return deferred(df, scoreCol, labelCol, true, carried);
    }

    /**
     * As {@link #valuesAndLabels(Dataset, String, String)}, the checks deferred as in
     * {@link #scoresAndLabelsDeferred}.
     *
     * @param df the rows
     * @param valueCol a numeric column
     * @param labelCol 0/1 or boolean
     * @return the columns, unchecked, and their checks
     */
    public static Deferred valuesAndLabelsDeferred(Dataset<?> df, String valueCol, String labelCol) {
        return deferred(df, valueCol, labelCol, false);
    }

    /**
     * The score alone as {@code s}, its check deferred as in {@link #scoresAndLabelsDeferred}: for
     * rows whose outcome has not arrived ({@code y} is null and never checked).
     *
     * @param df the rows
     * @param scoreCol probabilities in [0, 1]
     * @param carried columns kept after {@code s} and {@code y}
     * @return the columns, unchecked, and their checks
     */
    public static Deferred probabilitiesDeferred(Dataset<?> df, String scoreCol, Column... carried) {
        return deferred(df, scoreCol, null, true, carried);
    }

    private static Deferred deferred(Dataset<?> df, String scoreCol, String labelCol, boolean probabilities,
            Column... carried) {
        requireNumericOrBoolean(df, scoreCol, probabilities ? "a probability in [0, 1]" : "numeric");
        if (labelCol != null) {
            requireNumericOrBoolean(df, labelCol, "0/1 or boolean");
        }
        Column label = labelCol == null ? functions.lit(null) : functions.col(labelCol);
        Column[] cols = new Column[carried.length + 3];
        cols[0] = functions.col(scoreCol).cast("double").as("s");
        cols[1] = label.cast("double").as("y");
        cols[2] = label.cast("string").as(LABEL_TEXT);
        System.arraycopy(carried, 0, cols, 3, carried.length);
        Column s = functions.col("s");
        Column y = functions.col("y");
        Column[] scores = tally(s, probabilities ? outside(s) : functions.isnan(s), s);
        Column[] labels = labelCol == null ? new Column[] {functions.lit(0L), functions.lit(0L), functions.lit(null)}
                : tally(y, functions.not(y.isin(0.0, 1.0)), functions.col(LABEL_TEXT));
        return new Deferred(df.select(cols), new Column[] {scores[0], scores[1], scores[2], labels[0], labels[1],
            labels[2]}, scoreCol, labelCol, probabilities);
    }

    /**
     * Scores and labels whose checks are still to be read.
     *
     * @param rows {@code s}, {@code y}, the label as text (for the checks' example) and the carried
     *     columns
     * @param checks six aggregate columns over the input's rows (null and invalid scores, the
     *     smallest invalid one, the same for labels)
     * @param scoreCol the score column, for the message
     * @param labelCol the label column, for the message; null when there is none
     * @param probabilities whether a score must lie in [0, 1]
     */
    public record Deferred(Dataset<Row> rows, Column[] checks, String scoreCol, String labelCol,
            boolean probabilities) {

        /**
         * Fails as {@link #scoresAndLabels} does when any row is invalid, from the checks' values in
         * one or more result rows (one per group of a grouped aggregation).
         *
         * @param results rows holding the checks' values
         * @param from the index of the first check in each row
         */
        public void verify(Iterable<Row> results, int from) {
            long[] counts = new long[4];
            Object[] examples = new Object[2];
            for (Row r : results) {
                counts[0] += r.getLong(from);
                counts[1] += r.getLong(from + 1);
                counts[2] += r.getLong(from + 3);
                counts[3] += r.getLong(from + 4);
                examples[0] = smaller(examples[0], r.get(from + 2));
                examples[1] = smaller(examples[1], r.get(from + 5));
            }
            if (probabilities) {
                requireProbabilities(scoreCol, counts[0], counts[1], examples[0]);
            } else if (counts[0] + counts[1] > 0) {
                throw new IllegalArgumentException("Column '" + scoreCol + "' has " + counts[0] + " null and "
                        + counts[1] + " NaN rows; drop or fill them first.");
            }
            if (labelCol != null) {
                requireBinary(labelCol, counts[2], counts[3], examples[1]);
            }
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Object smaller(Object a, Object b) {
            return a == null ? b : b == null ? a : ((Comparable) b).compareTo(a) < 0 ? b : a;
        }
    }

    /**
     * The rows' score as column {@code s} (a double), after checking in one pass that every row
     * holds a probability.
     *
     * @param df the rows
     * @param scoreCol probabilities in [0, 1]
     * @return the checked score column
     */
    public static Column probabilities(Dataset<?> df, String scoreCol) {
        requireNumericOrBoolean(df, scoreCol, "a probability in [0, 1]");
        Column s = functions.col(scoreCol).cast("double");
        Column[] tally = tally(s, outside(s), s);
        Row bad = df.agg(tally[0], tally[1], tally[2]).first();
        requireProbabilities(scoreCol, bad.getLong(0), bad.getLong(1), bad.get(2));
        return s;
    }

    /**
     * Checks one score on the arrays' path, with the DataFrame path's message.
     *
     * @param score the score
     * @param col what the scores are called, for the message
     * @return the score
     */
    public static double probability(double score, String col) {
        if (!(score >= 0 && score <= 1)) {
            requireProbabilities(col, 0, 1, score);
        }
        return score;
    }

    /**
     * A Tablesaw table's numeric column as doubles, no row missing.
     *
     * @param table the rows
     * @param col a numeric column
     * @return one value per row
     */
    public static double[] doubles(Table table, String col) {
        var column = table.numberColumn(col);
        double[] out = new double[table.rowCount()];
        for (int i = 0; i < out.length; i++) {
            if (column.isMissing(i)) {
                throw new IllegalArgumentException("Column '" + col + "' is missing in row " + i
                        + "; drop or fill the missing rows first.");
            }
            out[i] = column.getDouble(i);
        }
        return out;
    }

    /**
     * A Tablesaw table's 0/1 or boolean column as booleans, with the DataFrame path's rule.
     *
     * @param table the rows
     * @param col a 0/1 or boolean column
     * @return one label per row
     */
    public static boolean[] labels(Table table, String col) {
        var column = table.column(col);
        return labels(table.rowCount(), i -> column.isMissing(i) ? null : column.get(i), col);
    }

    /**
     * Values held on the driver as labels, with the DataFrame path's message when one is not 0/1.
     *
     * @param rows how many rows
     * @param value row {@code i}'s value: a number, a boolean or null
     * @param col the column's name, for the message
     * @return one label per row
     */
    public static boolean[] labels(int rows, IntFunction<Object> value, String col) {
        boolean[] out = new boolean[rows];
        long nulls = 0;
        long others = 0;
        Object example = null;
        for (int i = 0; i < out.length; i++) {
            Object v = value.apply(i);
            if (v instanceof Boolean b) {
                out[i] = b;
            } else if (v instanceof Number n && (n.doubleValue() == 0 || n.doubleValue() == 1)) {
                out[i] = n.doubleValue() == 1;
            } else if (v == null) {
                nulls++;
            } else {
                others++;
                example = example == null ? v : example;
            }
        }
        requireBinary(col, nulls, others, example);
        return out;
    }

    /**
     * Checks that arrays of scores and labels pair up.
     *
     * @param scores one score per row
     * @param labels one label per row
     */
    public static void requireSameLength(double[] scores, boolean[] labels) {
        if (scores.length != labels.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + labels.length + " labels");
        }
    }

    /**
     * Fails, naming the column and its type, unless it is numeric or boolean.
     *
     * @param df the rows
     * @param col the column
     * @param what what the column must hold, for the message ("0/1 or boolean")
     */
    public static void requireNumericOrBoolean(Dataset<?> df, String col, String what) {
        DataType type = df.schema().apply(col).dataType();
        if (!(type instanceof NumericType) && !(type instanceof BooleanType)) {
            throw new IllegalArgumentException("Column '" + col + "' has type " + type.simpleString()
                    + "; it must be " + what + ".");
        }
    }

    /** Rows that are null, rows that are invalid, and the smallest invalid example: one aggregation's worth. */
    private static Column[] tally(Column value, Column invalid, Column example) {
        return new Column[] {functions.count(functions.when(value.isNull(), 1)),
            functions.count(functions.when(invalid, 1)), functions.min(functions.when(invalid, example))};
    }

    private static Column[] binaryTally(String col) {
        return tally(functions.col(col), notBinary(col), functions.col(col).cast("string"));
    }

    private static Column notBinary(String col) {
        return functions.not(functions.col(col).cast("double").isin(0.0, 1.0));
    }

    private static Column outside(Column s) {
        return s.lt(0).or(s.gt(1)).or(functions.isnan(s));
    }

    /**
     * Fails, naming the column, when any row of a 0/1 column is null or holds another value.
     *
     * @param col the column
     * @param nulls rows that are null
     * @param others rows that hold something other than 0 or 1
     * @param example one of the other values, shown when there are any
     */
    public static void requireBinary(String col, long nulls, long others, Object example) {
        if (nulls + others > 0) {
            throw new IllegalArgumentException("Column '" + col + "' must be 0 or 1 in every row; " + nulls
                    + " rows are null and " + others + " hold other values" + (others > 0 ? " (for example "
                    + example + ")" : "") + ". Drop or fill those rows, or recode the column to 0/1.");
        }
    }

    /**
     * Fails, naming the column, when any score is null or not a probability.
     *
     * @param col the score column
     * @param nulls rows that are null
     * @param outside rows outside [0, 1] or NaN
     * @param example one of those outside, shown when there are any
     */
    public static void requireProbabilities(String col, long nulls, long outside, Object example) {
        if (nulls + outside > 0) {
            throw new IllegalArgumentException("Scores in '" + col + "' must be probabilities in [0, 1]; " + nulls
                    + " rows are null and " + outside + " lie outside" + (outside > 0 ? " (for example " + example
                    + ")" : "") + ". Score with a model whose output is a probability, or recalibrate first.");
        }
    }
}
