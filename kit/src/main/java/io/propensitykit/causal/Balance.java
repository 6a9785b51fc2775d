package io.propensitykit.causal;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Covariate balance between the treated and the controls, before and after weighting, as cobalt
 * reports it: the standardized mean difference (difference in means over the pooled standard
 * deviation of the unweighted arms, so before and after share one scale) and the variance ratio.
 * An |SMD| above 0.1 is flagged.
 *
 * <pre>{@code
 * Balance b = Balance.of(weighted, "treated", List.of("recency_days", "frequency"), "w");
 * z.show(b.table());
 * }</pre>
 *
 * @param rows one row per covariate
 */
public record Balance(List<Row> rows) implements Tabular {

    /** The |SMD| above which a covariate is flagged as imbalanced. */
    public static final double THRESHOLD = 0.1;

    /**
     * One covariate's balance.
     *
     * @param covariate the column
     * @param smdBefore standardized mean difference, unweighted
     * @param smdAfter standardized mean difference, weighted (NaN without weights)
     * @param varianceRatioBefore treated variance over control variance, unweighted
     * @param varianceRatioAfter the same, weighted (NaN without weights)
     * @param flagged whether |SMD| after (or before, without weights) exceeds 0.1
     */
    public record Row(String covariate, double smdBefore, double smdAfter, double varianceRatioBefore,
            double varianceRatioAfter, boolean flagged) {

        /** @return the covariate and its SMD before and after, rounded */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Row[%s: SMD %.4f before, %.4f after%s]", covariate, smdBefore, smdAfter,
                    flagged ? ", flagged" : "");
        }
    }

    /**
     * Computes balance inside Spark: one aggregation per arm over all covariates.
     *
     * @param df the rows
     * @param treatCol the 0/1 treatment
     * @param covariates numeric covariate columns
     * @param weightCol a weight column, or null for unweighted balance only
     * @return the balance table
     */
    public static Balance of(Dataset<?> df, String treatCol, List<String> covariates, String weightCol) {
        Column t = Columns.binary(df, treatCol);
        Column w = weightCol == null ? functions.lit(1.0) : functions.col(weightCol).cast("double");
        List<Column> select = new ArrayList<>(List.of(t.as("t"), w.as("w")));
        for (int j = 0; j < covariates.size(); j++) {
            select.add(Columns.numeric(df, covariates.get(j)).as("x" + j));
        }
        List<Column> aggs = new ArrayList<>();
        for (int j = 0; j < covariates.size(); j++) {
            Column x = functions.col("x" + j);
            Column wx = functions.col("w").multiply(x);
            aggs.add(functions.count(x));
            aggs.add(functions.sum(x));
            aggs.add(functions.sum(x.multiply(x)));
            aggs.add(functions.sum(functions.when(x.isNotNull(), functions.col("w"))));
            aggs.add(functions.sum(wx));
            aggs.add(functions.sum(wx.multiply(x)));
        }
        org.apache.spark.sql.Row[] arms = new org.apache.spark.sql.Row[2];
        for (org.apache.spark.sql.Row r : df.select(select.toArray(new Column[0])).groupBy("t")
                .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).collectAsList()) {
            arms[(int) r.getDouble(0)] = r;
        }
        if (arms[0] == null || arms[1] == null) {
            throw new IllegalArgumentException("Balance needs both arms of '" + treatCol + "'; one is empty");
        }
        List<Row> rows = new ArrayList<>();
        for (int j = 0; j < covariates.size(); j++) {
            double[][] m = new double[2][6];
            for (int a = 0; a < 2; a++) {
                for (int k = 0; k < 6; k++) {
                    Object v = arms[a].get(1 + j * 6 + k);
                    m[a][k] = v == null ? 0 : ((Number) v).doubleValue();
                }
            }
            rows.add(row(covariates.get(j), m, weightCol != null));
        }
        return new Balance(List.copyOf(rows));
    }

    /** From per-arm [n, sum x, sum x^2, sum w, sum w x, sum w x^2]. */
    private static Row row(String name, double[][] m, boolean weighted) {
        double mt = m[1][1] / m[1][0];
        double mc = m[0][1] / m[0][0];
        double vt = m[1][2] / m[1][0] - mt * mt;
        double vc = m[0][2] / m[0][0] - mc * mc;
        // Sample variances, as cobalt and R's var() use.
        vt *= m[1][0] / (m[1][0] - 1);
        vc *= m[0][0] / (m[0][0] - 1);
        double pooled = Math.sqrt((vt + vc) / 2);
        double smdBefore = (mt - mc) / pooled;
        double vrBefore = vt / vc;
        double smdAfter = Double.NaN;
        double vrAfter = Double.NaN;
        if (weighted) {
            double wmt = m[1][4] / m[1][3];
            double wmc = m[0][4] / m[0][3];
            double wvt = m[1][5] / m[1][3] - wmt * wmt;
            double wvc = m[0][5] / m[0][3] - wmc * wmc;
            smdAfter = (wmt - wmc) / pooled;
            vrAfter = wvt / wvc;
        }
        boolean flagged = Math.abs(weighted ? smdAfter : smdBefore) > THRESHOLD;
        return new Row(name, smdBefore, smdAfter, vrBefore, vrAfter, flagged);
    }

    /** @return one row per covariate: SMD and variance ratio before and after, and the flag */
    @Override
    public Table table() {
        return Rows.of("balance", rows).text("covariate", Row::covariate).number("smd_before", Row::smdBefore, 4)
                .number("smd_after", Row::smdAfter, 4).number("variance_ratio_before", Row::varianceRatioBefore, 3)
                .number("variance_ratio_after", Row::varianceRatioAfter, 3)
                .text("flagged", r -> r.flagged() ? "|SMD| > " + THRESHOLD : "").table();
    }

    /** @return the covariates, how many are flagged and the largest |SMD| after, rounded */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Balance[%d covariates, %d flagged, largest |SMD| after %.4f]", rows.size(),
                rows.stream().filter(Row::flagged).count(),
                rows.stream().mapToDouble(r -> Math.abs(r.smdAfter())).max().orElse(Double.NaN));
    }

    /**
     * Writes the balance table as CSV with a header.
     *
     * @param file the CSV file
     */
    public void writeCsv(java.nio.file.Path file) {
        table().write().csv(file.toFile());
    }

}
