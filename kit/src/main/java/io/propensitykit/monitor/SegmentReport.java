package io.propensitykit.monitor;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Drift within segments ({@link Drift#compareSegments}): every segment × column tested, with its
 * PSI, its chi-square p-value, the Benjamini-Hochberg adjusted q-value over all cells, and whether it
 * is flagged (PSI at the watch threshold or above, and q at the false discovery rate or below).
 *
 * @param segmentColumns the columns that make the segments
 * @param fdr the false discovery rate the q-values are held to
 * @param minRows the fewest rows a segment needed on each side to be tested
 * @param watch the PSI from which a cell can be flagged
 * @param cells every cell tested, flagged ones first, then by PSI
 * @param skipped the segments too small to test, with their rows on each side
 */
public record SegmentReport(List<String> segmentColumns, double fdr, long minRows, double watch, List<Cell> cells,
        List<String> skipped) implements Tabular {

    /** The usual false discovery rate: one flagged cell in twenty may be chance. */
    public static final double DEFAULT_FDR = 0.05;

    /** The fewest rows a segment needs on each side to be tested, by default. */
    public static final long DEFAULT_MIN_ROWS = 1_000;

    /**
     * One segment and column.
     *
     * @param segment the segment's values, joined by " / "
     * @param feature the column
     * @param baselineRows the segment's rows in the baseline
     * @param currentRows the segment's rows now
     * @param psi the PSI within the segment, on the whole baseline's bins
     * @param pValue the chi-square test's p-value of the PSI bins' counts, both sides alike
     * @param qValue the p-value adjusted by Benjamini-Hochberg over all cells tested
     * @param flagged whether the cell moved beyond chance and by enough to watch
     */
    public record Cell(String segment, String feature, long baselineRows, long currentRows, double psi, double pValue,
            double qValue, boolean flagged) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Cell[%s, %s: PSI %.3f, q %.2g%s]", segment, feature, psi, qValue,
                    flagged ? ", flagged" : "");
        }
    }

    /**
     * The report from the cells' p-values: Benjamini-Hochberg q-values (the step-up adjustment,
     * {@code q_(i) = min over j >= i of m p_(j) / j}), flags, and the order a reader wants.
     *
     * @param segmentColumns the segment columns
     * @param fdr the false discovery rate
     * @param minRows the fewest rows tested
     * @param watch the PSI threshold
     * @param tested the cells, q-values not yet set
     * @param skipped the segments too small to test
     * @return the report
     */
    static SegmentReport of(List<String> segmentColumns, double fdr, long minRows, double watch, List<Cell> tested,
            List<String> skipped) {
        int m = tested.size();
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> tested.get(i).pValue()));
        double[] q = new double[m];
        double running = 1;
        for (int k = m - 1; k >= 0; k--) {
            running = Math.min(running, tested.get(order[k]).pValue() * m / (k + 1));
            q[order[k]] = running;
        }
        List<Cell> cells = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            Cell c = tested.get(i);
            cells.add(new Cell(c.segment(), c.feature(), c.baselineRows(), c.currentRows(), c.psi(), c.pValue(), q[i],
                    q[i] <= fdr && c.psi() >= watch));
        }
        cells.sort(Comparator.comparing((Cell c) -> !c.flagged()).thenComparing(Comparator.comparingDouble(Cell::psi)
                .reversed()).thenComparing(Cell::segment).thenComparing(Cell::feature));
        return new SegmentReport(List.copyOf(segmentColumns), fdr, minRows, watch, List.copyOf(cells),
                List.copyOf(skipped));
    }

    /** @return the flagged cells, largest PSI first */
    public List<Cell> flagged() {
        return cells.stream().filter(Cell::flagged).toList();
    }

    /** @return the segments with a flagged cell, in the order of their largest PSI */
    public List<String> movedSegments() {
        return flagged().stream().map(Cell::segment).distinct().toList();
    }

    /** @return which segments moved and in what, in words, with what was tested */
    public String summary() {
        long segments = cells.stream().map(Cell::segment).distinct().count();
        String tested = String.format(Locale.ROOT, "%d segments of %s × %d columns tested at a false discovery rate of"
                + " %s%s", segments, String.join(" and ", segmentColumns), segments == 0 ? 0 : cells.size() / segments,
                fdr, skipped.isEmpty() ? "" : String.format(Locale.ROOT, "; %d under %,d rows skipped", skipped.size(),
                        minRows));
        if (flagged().isEmpty()) {
            return "No segment moved beyond chance (" + tested + ").";
        }
        Map<String, List<Cell>> bySegment = new LinkedHashMap<>();
        flagged().forEach(c -> bySegment.computeIfAbsent(c.segment(), s -> new ArrayList<>()).add(c));
        StringBuilder s = new StringBuilder();
        bySegment.forEach((segment, moved) -> s.append(s.length() == 0 ? "" : " ").append(segment).append(" moved: ")
                .append(String.join(", ", moved.stream().map(c -> String.format(Locale.ROOT, "%s (PSI %.3f)",
                        c.feature(), c.psi())).toList())).append('.'));
        return s.append(" No other segment moved beyond chance (").append(tested).append(").").toString();
    }

    @Override
    public Table table() {
        return Rows.of("Drift by " + String.join(", ", segmentColumns), cells).text("segment", Cell::segment)
                .text("feature", Cell::feature).count("rows (baseline)", Cell::baselineRows)
                .count("rows (current)", Cell::currentRows).number("psi", Cell::psi, 4)
                .number("p-value", Cell::pValue, 4).number("q-value", Cell::qValue, 4)
                .text("flagged", c -> c.flagged() ? "yes" : "").table();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "SegmentReport[%d cells, %d flagged, FDR %s]", cells.size(),
                flagged().size(), fdr);
    }
}
