package io.propensitykit.metrics;

import io.propensitykit.internal.Columns;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Recalibrates scores into probabilities: Platt scaling (a logistic fit on the score's logit) or
 * isotonic regression (a monotone step fit, pool-adjacent-violators). Fit on held-out rows, save as
 * JSON, apply to arrays or as a Spark column.
 *
 * <pre>{@code
 * Calibrator iso = Calibrator.isotonic(holdout, "propensity", "purchased");
 * Dataset<Row> calibrated = scored.withColumn("p_calibrated", iso.apply(col("propensity")));
 * iso.save(Path.of("calibrator.json"));  Calibrator again = Calibrator.load(Path.of("calibrator.json"));
 * }</pre>
 */
public final class Calibrator implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final double CLIP = 1e-12;

    private final String kind;
    private final double slope;
    private final double intercept;
    private final double[] x;
    private final double[] y;

    private Calibrator(String kind, double slope, double intercept, double[] x, double[] y) {
        this.kind = kind;
        this.slope = slope;
        this.intercept = intercept;
        this.x = x;
        this.y = y;
    }

    /**
     * Fits Platt scaling, {@code p = sigmoid(a * logit(s) + b)}, by Newton's method on the log-likelihood.
     *
     * @param scores scores in [0, 1]
     * @param labels outcomes
     * @return the calibrator
     */
    public static Calibrator platt(double[] scores, boolean[] labels) {
        Columns.requireSameLength(scores, labels);
        double[] t = Arrays.stream(scores).map(score -> logit(Columns.probability(score, "scores"))).toArray();
        return platt((a, b) -> {
            double[] g = new double[5];
            for (int i = 0; i < t.length; i++) {
                double p = sigmoid(a * t[i] + b);
                double r = p - (labels[i] ? 1 : 0);
                double w = p * (1 - p);
                g[0] += r * t[i];
                g[1] += r;
                g[2] += w * t[i] * t[i];
                g[3] += w * t[i];
                g[4] += w;
            }
            return g;
        });
    }

    /** The log-likelihood's gradient and Hessian at (a, b): {@code {ga, gb, haa, hab, hbb}}. */
    private interface PlattSums {
        double[] at(double a, double b);
    }

    /** Newton's method from (1, 0), the one step both paths share; each takes its sums its own way. */
    private static Calibrator platt(PlattSums sums) {
        double a = 1;
        double b = 0;
        for (int iter = 0; iter < 100; iter++) {
            double[] g = sums.at(a, b);
            double det = g[2] * g[4] - g[3] * g[3];
            if (Math.abs(det) < 1e-300) {
                break;
            }
            double da = (g[4] * g[0] - g[3] * g[1]) / det;
            double db = (g[2] * g[1] - g[3] * g[0]) / det;
            a -= da;
            b -= db;
            if (Math.abs(da) < 1e-13 && Math.abs(db) < 1e-13) {
                break;
            }
        }
        return new Calibrator("platt", a, b, null, null);
    }

    /**
     * Fits isotonic regression of the label on the score: non-decreasing, ties pooled.
     *
     * @param scores scores
     * @param labels outcomes
     * @return the calibrator
     */
    public static Calibrator isotonic(double[] scores, boolean[] labels) {
        Columns.requireSameLength(scores, labels);
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (p, q) -> Double.compare(scores[p], scores[q]));
        // Distinct scores with their label sums and counts, then pool adjacent violators.
        double[] xs = new double[scores.length];
        double[] sums = new double[scores.length];
        double[] weights = new double[scores.length];
        int m = 0;
        for (int k = 0; k < order.length; k++) {
            double s = scores[order[k]];
            if (m > 0 && xs[m - 1] == s) {
                sums[m - 1] += labels[order[k]] ? 1 : 0;
                weights[m - 1]++;
            } else {
                xs[m] = s;
                sums[m] = labels[order[k]] ? 1 : 0;
                weights[m] = 1;
                m++;
            }
        }
        return pooled(Arrays.copyOf(xs, m), Arrays.copyOf(sums, m), Arrays.copyOf(weights, m));
    }

    /** Pool-adjacent-violators on distinct, sorted x with label sums and weights. */
    private static Calibrator pooled(double[] xs, double[] sums, double[] weights) {
        int m = xs.length;
        double[] blockSum = new double[m];
        double[] blockWeight = new double[m];
        int[] blockEnd = new int[m];
        int blocks = 0;
        for (int i = 0; i < m; i++) {
            blockSum[blocks] = sums[i];
            blockWeight[blocks] = weights[i];
            blockEnd[blocks] = i;
            blocks++;
            while (blocks > 1 && blockSum[blocks - 2] / blockWeight[blocks - 2]
                    >= blockSum[blocks - 1] / blockWeight[blocks - 1]) {
                blockSum[blocks - 2] += blockSum[blocks - 1];
                blockWeight[blocks - 2] += blockWeight[blocks - 1];
                blockEnd[blocks - 2] = blockEnd[blocks - 1];
                blocks--;
            }
        }
        double[] fitted = new double[m];
        int start = 0;
        for (int b = 0; b < blocks; b++) {
            double v = blockSum[b] / blockWeight[b];
            for (int i = start; i <= blockEnd[b]; i++) {
                fitted[i] = v;
            }
            start = blockEnd[b] + 1;
        }
        return new Calibrator("isotonic", 0, 0, xs, fitted);
    }

    /**
     * Fits Platt scaling inside Spark: each Newton step is one aggregation of the gradient and
     * Hessian sums, so no row comes to the driver.
     *
     * @param df held-out rows
     * @param scoreCol the score column
     * @param labelCol the 0/1 or boolean label
     * @return the calibrator
     */
    public static Calibrator platt(Dataset<?> df, String scoreCol, String labelCol) {
        Column clipped = functions.least(functions.greatest(functions.col("s"), functions.lit(CLIP)),
                functions.lit(1 - CLIP));
        Dataset<Row> ty = Columns.scoresAndLabels(df, scoreCol, labelCol)
                .select(functions.log(clipped.divide(functions.lit(1).minus(clipped))).as("t"), functions.col("y"))
                .cache();
        try {
            Column t = functions.col("t");
            return platt((a, b) -> {
                Column p = functions.lit(1).divide(functions.lit(1).plus(functions.exp(t.multiply(-a).minus(b))));
                Column r = p.minus(functions.col("y"));
                Column w = p.multiply(functions.lit(1).minus(p));
                Row g = ty.agg(functions.sum(r.multiply(t)), functions.sum(r), functions.sum(w.multiply(t).multiply(t)),
                        functions.sum(w.multiply(t)), functions.sum(w)).first();
                return new double[] {g.getDouble(0), g.getDouble(1), g.getDouble(2), g.getDouble(3), g.getDouble(4)};
            });
        } finally {
            ty.unpersist();
        }
    }

    /**
     * Fits isotonic regression inside Spark: labels are summed per distinct score there, and only
     * those sums come to the driver.
     *
     * @param df held-out rows
     * @param scoreCol the score column
     * @param labelCol the 0/1 or boolean label
     * @return the calibrator
     */
    public static Calibrator isotonic(Dataset<?> df, String scoreCol, String labelCol) {
        List<Row> groups = Columns.valuesAndLabels(df, scoreCol, labelCol).groupBy("s").agg(functions.sum("y"), functions.count(functions.lit(1))).orderBy("s")
                .collectAsList();
        double[] xs = new double[groups.size()];
        double[] sums = new double[groups.size()];
        double[] weights = new double[groups.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = groups.get(i).getDouble(0);
            sums[i] = groups.get(i).getDouble(1);
            weights[i] = groups.get(i).getLong(2);
        }
        return pooled(xs, sums, weights);
    }

    /**
     * Calibrates one score.
     *
     * @param score the raw score
     * @return the calibrated probability
     */
    public double apply(double score) {
        if ("platt".equals(kind)) {
            return sigmoid(slope * logit(score) + intercept);
        }
        // Linear between fitted points, clipped at the ends, as scikit-learn's IsotonicRegression.
        if (score <= x[0]) {
            return y[0];
        }
        if (score >= x[x.length - 1]) {
            return y[y.length - 1];
        }
        int hi = Arrays.binarySearch(x, score);
        if (hi >= 0) {
            return y[hi];
        }
        hi = -hi - 1;
        int lo = hi - 1;
        return y[lo] + (y[hi] - y[lo]) * (score - x[lo]) / (x[hi] - x[lo]);
    }

    /**
     * Calibrates a Spark column.
     *
     * @param score the raw score column
     * @return the calibrated column
     */
    public Column apply(Column score) {
        Calibrator self = this;
        return functions.udf((org.apache.spark.sql.api.java.UDF1<Double, Double>) s -> s == null ? null : self.apply(s),
                DataTypes.DoubleType).apply(score.cast("double"));
    }

    /** @return "platt" or "isotonic" */
    public String kind() {
        return kind;
    }

    /**
     * Saves the fit as JSON.
     *
     * @param file the JSON file
     * @throws IOException if it cannot be written
     */
    public void save(Path file) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("kind", kind);
        if ("platt".equals(kind)) {
            o.addProperty("slope", slope);
            o.addProperty("intercept", intercept);
        } else {
            JsonArray xs = new JsonArray();
            JsonArray ys = new JsonArray();
            Arrays.stream(x).forEach(xs::add);
            Arrays.stream(y).forEach(ys::add);
            o.add("x", xs);
            o.add("y", ys);
        }
        Files.writeString(file, o + "\n", StandardCharsets.UTF_8);
    }

    /**
     * Loads a fit saved by {@link #save}.
     *
     * @param file the JSON file
     * @return the calibrator
     * @throws IOException if it cannot be read
     */
    public static Calibrator load(Path file) throws IOException {
        JsonObject o = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        String kind = o.get("kind").getAsString();
        if ("platt".equals(kind)) {
            return new Calibrator(kind, o.get("slope").getAsDouble(), o.get("intercept").getAsDouble(), null, null);
        }
        if (!"isotonic".equals(kind)) {
            throw new IllegalArgumentException(file + ": kind '" + kind + "' is not platt or isotonic");
        }
        double[] xs = new double[o.getAsJsonArray("x").size()];
        double[] ys = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = o.getAsJsonArray("x").get(i).getAsDouble();
            ys[i] = o.getAsJsonArray("y").get(i).getAsDouble();
        }
        return new Calibrator(kind, 0, 0, xs, ys);
    }

    private static double logit(double s) {
        double p = Math.min(Math.max(s, CLIP), 1 - CLIP);
        return Math.log(p / (1 - p));
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}
