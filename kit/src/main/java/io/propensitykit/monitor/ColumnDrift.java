package io.propensitykit.monitor;

import io.propensitykit.internal.QuantileEdges;
import io.propensitykit.monitor.FeatureDrift.Fine;
import io.propensitykit.monitor.FeatureDrift.Kind;
import io.propensitykit.monitor.FeatureDrift.Side;
import io.propensitykit.monitor.FeatureDrift.Status;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One column's drift from the two sides' bins, on the driver: a number's fine bins merged into the
 * PSI's quantile bins, with KS over the fine ones; a category's levels, the rarest folded into
 * "(other)" and the current's new ones counted as "(unseen)"; nulls in a bin of their own.
 */
final class ColumnDrift {

    private final int levels;
    private final double watch;
    private final double act;

    ColumnDrift(int levels, double watch, double act) {
        this.levels = levels;
        this.watch = watch;
        this.act = act;
    }

    FeatureDrift numeric(String name, Kind kind, int j, double[] fine, double[] coarse, BinCounts b,
            BinCounts c) {
        double[] bFine = b.counts(j);
        double[] cFine = c.counts(j);
        // A fine bin (f[i-1], f[i]] lies in the PSI bin of the coarse edges at or below f[i-1].
        double[] bCoarse = new double[coarse.length + 2];
        double[] cCoarse = new double[coarse.length + 2];
        for (int i = 0; i <= fine.length; i++) {
            int k = i == 0 ? 0 : QuantileEdges.group(fine[i - 1], coarse) + (Arrays.binarySearch(coarse,
                    fine[i - 1]) >= 0 ? 1 : 0);
            bCoarse[k] += bFine[i];
            cCoarse[k] += cFine[i];
        }
        bCoarse[coarse.length + 1] = b.nulls(j);
        cCoarse[coarse.length + 1] = c.nulls(j);
        List<String> labels = new ArrayList<>();
        for (int k = 0; k <= coarse.length; k++) {
            labels.add(k == 0 ? "≤ " + number(coarse[0]) : k == coarse.length ? "> " + number(coarse[k - 1])
                    : "(" + number(coarse[k - 1]) + ", " + number(coarse[k]) + "]");
        }
        labels.add("(null)");
        double[] bShares = shares(bCoarse, b.rows());
        double[] cShares = shares(cCoarse, c.rows());
        double[] bCdf = shares(bFine, b.rows() - b.nulls(j));
        double[] cCdf = shares(cFine, c.rows() - c.nulls(j));
        OptionalDouble ks = b.rows() > b.nulls(j) && c.rows() > c.nulls(j) ? OptionalDouble.of(ks(bCdf, cCdf))
                : OptionalDouble.empty();
        double psi = psi(bShares, cShares);
        return new FeatureDrift(name, kind, psi, status(psi), ks, labels, bShares, cShares,
                new Side(b.rows(), b.nulls(j), b.numbers(j)), new Side(c.rows(), c.nulls(j), c.numbers(j)), 0,
                Optional.of(new Fine(fine, bCdf, cCdf)));
    }
    FeatureDrift categorical(String name, int j, BinCounts b, BinCounts c) {
        Map<String, Long> base = b.levels(j);
        List<String> ranked = new ArrayList<>(base.keySet());
        ranked.sort(Comparator.comparing((String l) -> -base.get(l)).thenComparing(Comparator.naturalOrder()));
        List<String> kept = ranked.subList(0, Math.min(levels, ranked.size()));
        boolean other = ranked.size() > kept.size();
        List<String> labels = new ArrayList<>(kept);
        if (other) {
            labels.add("(other)");
        }
        labels.add("(unseen)");
        labels.add("(null)");
        Map<String, Integer> binOf = new HashMap<>();
        for (int i = 0; i < kept.size(); i++) {
            binOf.put(kept.get(i), i);
        }
        int otherBin = kept.size();
        int unseenBin = labels.size() - 2;
        double[] bCounts = new double[labels.size()];
        double[] cCounts = new double[labels.size()];
        base.forEach((level, n) -> bCounts[binOf.getOrDefault(level, otherBin)] += n);
        long unseen = 0;
        for (Map.Entry<String, Long> e : c.levels(j).entrySet()) {
            boolean seen = base.containsKey(e.getKey());
            unseen += seen ? 0 : 1;
            cCounts[seen ? binOf.getOrDefault(e.getKey(), otherBin) : unseenBin] += e.getValue();
        }
        bCounts[labels.size() - 1] = b.nulls(j);
        cCounts[labels.size() - 1] = c.nulls(j);
        double[] bShares = shares(bCounts, b.rows());
        double[] cShares = shares(cCounts, c.rows());
        double psi = psi(bShares, cShares);
        return new FeatureDrift(name, Kind.CATEGORICAL, psi, status(psi), OptionalDouble.empty(), labels, bShares,
                cShares, new Side(b.rows(), b.nulls(j), Optional.empty()), new Side(c.rows(), c.nulls(j),
                        Optional.empty()), unseen, Optional.empty());
    }
    private static double[] shares(double[] counts, long total) {
        return Arrays.stream(counts).map(n -> total == 0 ? 0 : n / total).toArray();
    }
    /** PSI, each share floored at {@link Drift#SHARE_FLOOR}. */
    static double psi(double[] baseline, double[] current) {
        double psi = 0;
        for (int i = 0; i < baseline.length; i++) {
            double b = Math.max(baseline[i], Drift.SHARE_FLOOR);
            double c = Math.max(current[i], Drift.SHARE_FLOOR);
            psi += (c - b) * Math.log(c / b);
        }
        return psi;
    }
    /** The largest distance between the two CDFs at the bins' upper edges. */
    private static double ks(double[] baseline, double[] current) {
        double fb = 0;
        double fc = 0;
        double ks = 0;
        for (int i = 0; i < baseline.length; i++) {
            fb += baseline[i];
            fc += current[i];
            ks = Math.max(ks, Math.abs(fb - fc));
        }
        return ks;
    }
    private Status status(double psi) {
        return psi >= act ? Status.ACT : psi >= watch ? Status.WATCH : Status.STABLE;
    }
    /** An edge as a bin label: four significant digits, no trailing zeros ("5", not "5.000"). */
    private static String number(double v) {
        if (!Double.isFinite(v)) {
            return Double.toString(v);
        }
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros();
        double size = Math.abs(v);
        return size == 0 ? "0" : size >= 1e-4 && size < 1e7 ? rounded.toPlainString() : rounded.toString();
    }}
