package io.propensitykit.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link FeatureSpec} fit with its options named: how many levels a categorical keeps, which
 * numeric columns are taken as {@code log1p}, and the specification terms added after the columns.
 *
 * <pre>{@code
 * FeatureSpec spec = FeatureSpec.fitting(numeric, categorical).optMaxLevels(20)
 *     .optLogColumns(Set.of("monetary")).optTerms(List.of(Term.power("age", 2))).fit(rows);
 * }</pre>
 */
public final class FeatureFit {

    /** Levels kept per categorical column when none are set. */
    public static final int DEFAULT_MAX_LEVELS = 20;

    private final List<String> numeric;
    private final List<String> categorical;
    private int maxLevels = DEFAULT_MAX_LEVELS;
    private Set<String> logColumns = Set.of();
    private List<FeatureSpec.Term> terms = List.of();

    FeatureFit(List<String> numeric, List<String> categorical) {
        this.numeric = List.copyOf(numeric);
        this.categorical = List.copyOf(categorical);
    }

    /**
     * The most frequent levels kept per categorical column ({@value #DEFAULT_MAX_LEVELS} by
     * default); rarer ones go to the unknown bucket.
     *
     * @param levels at least 1
     * @return this fit
     */
    public FeatureFit optMaxLevels(int levels) {
        if (levels < 1) {
            throw new IllegalArgumentException("optMaxLevels needs at least 1 level, found " + levels);
        }
        this.maxLevels = levels;
        return this;
    }

    /**
     * Numeric columns transformed with {@code log1p} before they are standardized: for skewed,
     * non-negative columns such as spend or days since the last order.
     *
     * @param columns some of the numeric columns
     * @return this fit
     */
    public FeatureFit optLogColumns(Set<String> columns) {
        this.logColumns = Set.copyOf(columns);
        return this;
    }

    /**
     * Specification terms after the raw columns (powers, products, zero indicators), each
     * standardized on the training rows where its columns are not null.
     *
     * @param specification the terms
     * @return this fit
     */
    public FeatureFit optTerms(List<FeatureSpec.Term> specification) {
        this.terms = List.copyOf(specification);
        return this;
    }

    /**
     * Fits the spec on raw rows.
     *
     * @param rows raw values, one array per row, numeric columns first then categorical, in the
     *     order of the two name lists
     * @return the fitted spec
     */
    public FeatureSpec fit(List<Object[]> rows) {
        Objects.requireNonNull(rows, "rows");
        List<FeatureSpec.Term> specification = terms;
        FeatureSpec raw = fitColumns(rows);
        List<FeatureSpec.Derived> derived = new ArrayList<>();
        for (FeatureSpec.Term term : specification) {
            int[] bases = new int[term.of().size()];
            for (int k = 0; k < bases.length; k++) {
                bases[k] = numeric.indexOf(term.of().get(k));
                if (bases[k] < 0) {
                    throw new IllegalArgumentException("Term " + term.name() + " reads '" + term.of().get(k)
                            + "', which is not one of the numeric columns " + numeric);
                }
            }
            double sum = 0;
            double sumSq = 0;
            long n = 0;
            for (Object[] row : rows) {
                Object a = row[bases[0]];
                Object b = bases.length > 1 ? row[bases[1]] : a;
                if (a == null || b == null) {
                    continue;
                }
                double v = term.value(((Number) a).doubleValue(), ((Number) b).doubleValue());
                sum += v;
                sumSq += v * v;
                n++;
            }
            double mean = n == 0 ? 0 : sum / n;
            double var = n == 0 ? 0 : Math.max(0, sumSq / n - mean * mean);
            derived.add(new FeatureSpec.Derived(term, bases, mean, var > 1e-24 ? Math.sqrt(var) : 1.0));
        }
        return new FeatureSpec(raw.columns(), derived);
    }

    private FeatureSpec fitColumns(List<Object[]> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("A feature spec needs at least one training row");
        }
        List<FeatureSpec.Column> columns = new ArrayList<>();
        for (int j = 0; j < numeric.size(); j++) {
            double sum = 0;
            double sumSq = 0;
            long n = 0;
            long missing = 0;
            for (Object[] row : rows) {
                Object v = row[j];
                if (v == null) {
                    missing++;
                    continue;
                }
                double x = ((Number) v).doubleValue();
                boolean log = logColumns.contains(numeric.get(j));
                if (!Double.isFinite(x) || log && x <= -1) {
                    throw new IllegalArgumentException("Column '" + numeric.get(j) + "' holds " + x
                            + " in the training data" + (log ? ", which log1p cannot take" : "")
                            + "; fix or drop such rows before fitting.");
                }
                x = log ? Math.log1p(x) : x;
                sum += x;
                sumSq += x * x;
                n++;
            }
            if (n == 0) {
                throw new IllegalArgumentException("Column '" + numeric.get(j) + "' is null in every training row");
            }
            double mean = sum / n;
            double var = Math.max(0, sumSq / n - mean * mean);
            double std = var > 1e-24 ? Math.sqrt(var) : 1.0;
            columns.add(new FeatureSpec.Column(numeric.get(j), false, logColumns.contains(numeric.get(j)), mean, std, missing > 0,
                    List.of(), Map.of()));
        }
        for (int k = 0; k < categorical.size(); k++) {
            int j = numeric.size() + k;
            Map<String, Long> counts = new HashMap<>();
            for (Object[] row : rows) {
                if (row[j] != null) {
                    counts.merge(FeatureSpec.level(row[j]), 1L, Long::sum);
                }
            }
            List<String> levels = counts.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                            .thenComparing(Map.Entry.comparingByKey()))
                    .limit(maxLevels).map(Map.Entry::getKey).sorted().toList();
            columns.add(FeatureSpec.categorical(categorical.get(k), levels));
        }
        return new FeatureSpec(columns);
    }
}
