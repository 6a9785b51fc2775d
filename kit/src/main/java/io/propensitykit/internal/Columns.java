package io.propensitykit.internal;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;

import tech.tablesaw.api.Table;

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
        requireNumericOrBoolean(df, scoreCol, probabilities ? "a probability in [0, 1]" : "numeric");
        requireNumericOrBoolean(df, labelCol, "0/1 or boolean");
        Column s = functions.col(scoreCol).cast("double");
        Column invalid = probabilities ? outside(s) : functions.isnan(s);
        Column[] scores = tally(s, invalid, s);
        Column[] labels = binaryTally(labelCol);
        Row bad = df.agg(scores[0], scores[1], scores[2], labels[0], labels[1], labels[2]).first();
        if (probabilities) {
            requireProbabilities(scoreCol, bad.getLong(0), bad.getLong(1), bad.get(2));
        } else if (bad.getLong(0) + bad.getLong(1) > 0) {
            throw new IllegalArgumentException("Column '" + scoreCol + "' has " + bad.getLong(0) + " null and "
                    + bad.getLong(1) + " NaN rows; drop or fill them first.");
        }
        requireBinary(labelCol, bad.getLong(3), bad.getLong(4), bad.get(5));
        Column[] cols = new Column[carried.length + 2];
        cols[0] = s.as("s");
        cols[1] = functions.col(labelCol).cast("double").as("y");
        System.arraycopy(carried, 0, cols, 2, carried.length);
        return df.select(cols);
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
        boolean[] out = new boolean[table.rowCount()];
        long nulls = 0;
        long others = 0;
        Object example = null;
        for (int i = 0; i < out.length; i++) {
            Object v = column.isMissing(i) ? null : column.get(i);
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

    private static void requireNumericOrBoolean(Dataset<?> df, String col, String what) {
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
