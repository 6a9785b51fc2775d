package io.propensitykit.model;

import java.util.List;
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
        return FeatureSpec.fit(Objects.requireNonNull(rows, "rows"), numeric, categorical, maxLevels, logColumns, terms);
    }
}
