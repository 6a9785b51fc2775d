package io.propensitykit.plot.planted;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Breaks a house rule on purpose, for {@code HouseRulesTest}: a plot that counts rows itself. */
public final class PlotComputingOnSpark {

    private PlotComputingOnSpark() {}

    /**
     * @param rows the rows
     * @return their number, which a plot should be given instead
     */
    public static long count(Dataset<Row> rows) {
        return rows.count();
    }
}
