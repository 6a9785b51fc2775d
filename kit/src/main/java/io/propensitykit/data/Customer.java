package io.propensitykit.data;

import java.util.SplittableRandom;

/**
 * One generated customer: the features and the two uniforms that decide treatment and outcome, drawn
 * in a fixed order from a generator seeded by the seed and the id, with the scores the generator's
 * ground truth is built from (targeting, outcome score, effect modifier).
 */
final class Customer {

    int tenure;
    int channel;
    int region;
    int device;
    int recency;
    int frequency;
    double monetary;
    double openRate;
    int electronics;
    int fashion;
    int home;
    double uTreat;
    double uOutcome;
    double targeting;
    double outcomeScore;
    double effectModifier;

    private Customer() {}

    /**
     * Draws a customer: a pure function of the seed and the id.
     *
     * @param seed the generator's seed
     * @param id the customer's id
     * @return the customer
     */
    static Customer draw(long seed, long id) {
        SplittableRandom r = new SplittableRandom(mix(seed * 0x9E3779B97F4A7C15L + id));
        Customer c = new Customer();
        double engagement = r.nextGaussian();
        c.tenure = (int) Math.max(1, Math.min(120, Math.round(Math.exp(2.7 + 0.9 * r.nextGaussian()))));
        double pApp = 0.25 + 0.12 * Math.tanh(engagement);
        double u = r.nextDouble();
        c.channel = u < pApp ? 2 : u < pApp + 0.45 ? 0 : 1;
        c.region = r.nextDouble() < 0.01 ? -1 : r.nextInt(4);
        double d = r.nextDouble();
        c.device = c.channel == 2 ? 1 : d < 0.35 ? 0 : d < 0.9 ? 1 : 2;
        c.recency = (int) Math.max(0, Math.min(365, Math.round(Math.exp(3.2 - 0.6 * engagement
                + 0.7 * r.nextGaussian()))));
        c.frequency = poisson(r, Math.exp(0.8 + 0.5 * engagement + 0.2 * Math.log(c.tenure)));
        double basket = Math.exp(3.8 + 0.5 * r.nextGaussian() + 0.1 * engagement);
        c.monetary = c.frequency == 0 ? 0.0 : Math.round(c.frequency * basket * 100) / 100.0;
        double open = sigmoid(-1 + 0.9 * engagement + 0.5 * r.nextGaussian());
        c.openRate = r.nextDouble() < 0.06 ? Double.NaN : Math.round(open * 1000) / 1000.0;
        c.electronics = r.nextDouble() < sigmoid(-1.2 + 0.4 * engagement) ? 1 : 0;
        c.fashion = r.nextDouble() < sigmoid(-0.6 + 0.3 * engagement) ? 1 : 0;
        c.home = r.nextDouble() < sigmoid(-1.0 + 0.3 * engagement) ? 1 : 0;
        c.uTreat = r.nextDouble();
        c.uOutcome = r.nextDouble();

        boolean engaged = !Double.isNaN(c.openRate) && c.openRate > 0.35;
        double openOrMean = Double.isNaN(c.openRate) ? 0.3 : c.openRate;
        // Marketing targets engaged, frequent, recent customers: observed confounders.
        c.targeting = 4 * (openOrMean - 0.3) + 0.4 * Math.log1p(c.frequency) - 0.01 * c.recency
                + (c.channel == 2 ? 0.3 : 0);
        c.outcomeScore = -0.012 * c.recency + (c.recency < 14 ? 1.0 : 0) + 0.55 * Math.log1p(c.frequency)
                + 0.8 * Math.tanh((c.monetary - 300) / 150) + (c.channel == 2 && engaged ? 1.3 : 0)
                - (c.channel != 2 && engaged ? 0.3 : 0) + (c.tenure < 6 && c.device == 1 ? 1.0 : 0)
                - (c.device == 2 ? 0.4 : 0) + (c.electronics + c.home == 1 ? 0.6 : 0) + (c.region == 3 ? 0.3 : 0);
        c.effectModifier = 1 + (engaged ? 0.8 : 0) - (c.recency > 90 ? 0.6 : 0) + (c.channel == 0 ? 0.4 : 0);
        return c;
    }
    private static int poisson(SplittableRandom r, double lambda) {
        double limit = Math.exp(-lambda);
        double product = r.nextDouble();
        int k = 0;
        while (product > limit && k < 200) {
            product *= r.nextDouble();
            k++;
        }
        return k;
    }
    /** SplitMix64's finalizer: decorrelates neighbouring ids. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }}
