package io.propensitykit.causal;

import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * The one-pass Poisson bootstrap every estimator of this package shares: each row gets an
 * independent Poisson(1) count per replicate, drawn from a generator seeded by the seed and the
 * partition, so the plain sums and all replicates' sums come from the same single pass.
 */
final class PoissonBootstrap {

    private static final double[] POISSON1_CDF = poissonCdf();

    private PoissonBootstrap() {}

    /** A statistic of the column sums. */
    interface Statistic extends Serializable {
        double of(double[] sums);
    }

    /** Sums the selected columns, plainly and for each bootstrap replicate, in one pass. */
    static Effects.Estimate estimate(String method, Dataset<Row> terms, Statistic statistic, int replicates,
            long seed) {
        return estimate(method, terms, 0, statistic, replicates, seed);
    }

    /**
     * Sums the selected columns per group, plainly and for each bootstrap replicate, in one pass.
     * With {@code groups > 0} the first column is an int group in {@code [0, groups)} and the k
     * columns after it are summed into slots {@code g * k + j}: a row costs k additions per
     * replicate however many groups there are. Partial sums are merged on the executors (a tree
     * reduce), so the driver receives a few arrays of {@code (replicates + 1) × groups × k}.
     */
    static Effects.Estimate estimate(String method, Dataset<Row> terms, int groups, Statistic statistic, int replicates,
            long seed) {
        requireReplicates(replicates);
        int first = groups > 0 ? 1 : 0;
        int k = terms.columns().length - first;
        int width = Math.max(1, groups) * k;
        Function2<Integer, Iterator<Row>, Iterator<double[][]>> partial = (index, rows) -> {
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
            double[][] acc = new double[replicates + 1][width];
            double[] v = new double[k];
            while (rows.hasNext()) {
                Row r = rows.next();
                int offset = first == 1 ? r.getInt(0) * k : 0;
                for (int j = 0; j < k; j++) {
                    v[j] = r.getDouble(first + j);
                }
                for (int j = 0; j < k; j++) {
                    acc[0][offset + j] += v[j];
                }
                for (int b = 1; b <= replicates; b++) {
                    int count = poisson1(rng);
                    if (count > 0) {
                        for (int j = 0; j < k; j++) {
                            acc[b][offset + j] += count * v[j];
                        }
                    }
                }
            }
            return Collections.singletonList(acc).iterator();
        };
        double[][] sums = terms.javaRDD().mapPartitionsWithIndex(partial, false).treeReduce((a, b) -> {
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < a[i].length; j++) {
                    a[i][j] += b[i][j];
                }
            }
            return a;
        }, 2);
        double[] boot = new double[replicates];
        for (int b = 1; b <= replicates; b++) {
            boot[b - 1] = statistic.of(sums[b]);
        }
        Arrays.sort(boot);
        return new Effects.Estimate(method, statistic.of(sums[0]), percentile(boot, 0.025), percentile(boot, 0.975),
                replicates, seed);
    }

    /** The kit's floor for a percentile bootstrap: fewer replicates make the 2.5% and 97.5% points noise. */
    static void requireReplicates(int replicates) {
        if (replicates < 20) {
            throw new IllegalArgumentException("Use at least 20 bootstrap replicates; found " + replicates);
        }
    }

    /** Linear interpolation between order statistics, as NumPy's default percentile. */
    static double percentile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    private static int poisson1(SplittableRandom rng) {
        double u = rng.nextDouble();
        int k = 0;
        while (k < POISSON1_CDF.length - 1 && u > POISSON1_CDF[k]) {
            k++;
        }
        return k;
    }

    private static double[] poissonCdf() {
        double[] cdf = new double[20];
        double p = Math.exp(-1);
        double c = 0;
        for (int k = 0; k < cdf.length; k++) {
            c += p;
            cdf[k] = c;
            p /= k + 1;
        }
        cdf[cdf.length - 1] = 1.0;
        return cdf;
    }
}
