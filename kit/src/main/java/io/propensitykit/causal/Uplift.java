package io.propensitykit.causal;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;
import io.propensitykit.internal.QuantileEdges;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;

/**
 * Uplift by decile of an uplift score (a predicted treatment effect), when both a treatment and an
 * outcome are present: the per-decile uplift, and the Qini and uplift curves at each decile.
 *
 * <pre>{@code
 * Uplift u = Uplift.of(scored, "predicted_effect", "treated", "purchased");
 * u.qiniCoefficient();   // area between the Qini curve and the random line
 * EffectPlots.qini(u).show();
 * }</pre>
 *
 * <p>Deciles use the decile table's edge rule (exact 10% quantiles, a score on an edge in the lower
 * group), decile 1 holding the highest uplift scores. After the top {@code k} deciles, with
 * {@code Yt, Nt} the treated outcomes and count and {@code Yc, Nc} the controls':
 * Qini {@code = Yt - Yc Nt / Nc}, uplift curve {@code = (Yt / Nt - Yc / Nc) (Nt + Nc)}.
 *
 * @param deciles one row per decile, decile 1 first
 * @param share the share of rows in deciles 1..k: 11 points, 0 first
 * @param qini the Qini curve: 11 points, 0 then after each decile
 * @param upliftCurve the uplift curve: 11 points
 * @param qiniCoefficient the trapezoid area between the Qini curve and the straight line from 0 to its end, per row
 */
public record Uplift(List<Decile> deciles, double[] share, double[] qini, double[] upliftCurve,
        double qiniCoefficient) implements Tabular {

    /** @return one row per decile: each arm's rows and rate, and the uplift */
    @Override
    public Table table() {
        return Rows.of("uplift", deciles).count("decile", Decile::decile).count("treated", Decile::treated)
                .count("control", Decile::control).number("treated rate", Decile::treatedRate, 4)
                .number("control rate", Decile::controlRate, 4).number("uplift", Decile::uplift, 4).table();
    }

    /** @return the deciles, the first decile's uplift and the Qini coefficient, rounded */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "Uplift[%d deciles, top uplift %.4f, Qini %.4f]", deciles.size(),
                deciles.isEmpty() ? Double.NaN : deciles.get(0).uplift(), qiniCoefficient);
    }

    /**
     * One decile's arms.
     *
     * @param decile 1 (highest uplift scores) to 10
     * @param treated treated rows
     * @param control control rows
     * @param treatedRate mean outcome of the treated
     * @param controlRate mean outcome of the controls
     * @param uplift treatedRate - controlRate
     */
    public record Decile(int decile, long treated, long control, double treatedRate, double controlRate,
            double uplift) {

        /** @return the decile, its arms and uplift, rounded */
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "Decile[%d: %,d treated, %,d control, uplift %.4f]", decile,
                    treated, control, uplift);
        }
    }

    /**
     * Computes uplift by decile inside Spark: exact decile edges, then one aggregation of 20 rows.
     *
     * @param df the rows
     * @param upliftCol the uplift score
     * @param treatCol the 0/1 treatment
     * @param outcomeCol the outcome
     * @return the uplift summary
     */
    public static Uplift of(Dataset<?> df, String upliftCol, String treatCol, String outcomeCol) {
        Column t = Columns.binary(df, treatCol);
        Dataset<Row> sty = df.select(functions.col(upliftCol).cast("double").as("s"), t.as("t"),
                functions.col(outcomeCol).cast("double").as("y"));
        double[] edges = QuantileEdges.of(sty, "s", 10);
        Column above = QuantileEdges.group(functions.col("s"), edges);
        double[][] n = new double[2][10];
        double[][] sumY = new double[2][10];
        for (Row r : sty.withColumn("d", functions.lit(10).minus(above)).groupBy("d", "t")
                .agg(functions.count(functions.lit(1)), functions.sum("y")).collectAsList()) {
            int d = r.getInt(0) - 1;
            int arm = (int) r.getDouble(1);
            n[arm][d] = r.getLong(2);
            sumY[arm][d] = r.getDouble(3);
        }
        return from(n, sumY);
    }

    /**
     * Computes uplift by decile of arrays exactly.
     *
     * @param scores uplift scores
     * @param treated treatment per row
     * @param outcomes outcome per row
     * @return the uplift summary
     */
    public static Uplift of(double[] scores, boolean[] treated, double[] outcomes) {
        double[] edges = QuantileEdges.of(scores, 10);
        double[][] n = new double[2][10];
        double[][] sumY = new double[2][10];
        for (int i = 0; i < scores.length; i++) {
            int above = QuantileEdges.group(scores[i], edges);
            int arm = treated[i] ? 1 : 0;
            n[arm][9 - above]++;
            sumY[arm][9 - above] += outcomes[i];
        }
        return from(n, sumY);
    }

    private static Uplift from(double[][] n, double[][] sumY) {
        List<Decile> deciles = new ArrayList<>();
        double[] qini = new double[11];
        double[] curve = new double[11];
        double nt = 0;
        double nc = 0;
        double yt = 0;
        double yc = 0;
        for (int d = 0; d < 10; d++) {
            double rt = sumY[1][d] / n[1][d];
            double rc = sumY[0][d] / n[0][d];
            deciles.add(new Decile(d + 1, (long) n[1][d], (long) n[0][d], rt, rc, rt - rc));
            nt += n[1][d];
            nc += n[0][d];
            yt += sumY[1][d];
            yc += sumY[0][d];
            qini[d + 1] = nc == 0 ? Double.NaN : yt - yc * nt / nc;
            curve[d + 1] = nt == 0 || nc == 0 ? Double.NaN : (yt / nt - yc / nc) * (nt + nc);
        }
        double total = nt + nc;
        double[] share = new double[11];
        double area = 0;
        double cumN = 0;
        double previousX = 0;
        for (int d = 0; d < 10; d++) {
            cumN += n[0][d] + n[1][d];
            double x = cumN / total;
            share[d + 1] = x;
            double randomPrev = qini[10] * previousX;
            double randomHere = qini[10] * x;
            area += (x - previousX) * ((qini[d] - randomPrev) + (qini[d + 1] - randomHere)) / 2;
            previousX = x;
        }
        return new Uplift(List.copyOf(deciles), share, qini, curve, area / total);
    }
}
