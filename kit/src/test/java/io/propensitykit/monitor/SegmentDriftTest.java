package io.propensitykit.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.data.RetailGenerator;

import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

/**
 * Drift within segments on generated customers, where the truth is known: a shift put into one
 * device only, too small for the whole population's PSI to flag, is found in that device and
 * nowhere else; and twenty segments without any shift stay unflagged at FDR 0.05 in at least 19 of
 * 20 seeded runs.
 */
class SegmentDriftTest extends SharedSpark {

    @Test
    void aShiftInOneDeviceIsFoundThereAndOnlyThere() {
        Dataset<Row> lastWeek = RetailGenerator.builder().optRows(80_000).optSeed(1).build().generate(spark).cache();
        // Tablet customers only: a year and a half more tenure.
        Dataset<Row> thisWeek = RetailGenerator.builder().optRows(80_000).optSeed(2).build().generate(spark)
                .withColumn("tenure_months", functions.when(functions.col("device").equalTo("tablet"),
                        functions.col("tenure_months").plus(18)).otherwise(functions.col("tenure_months"))).cache();
        Drift check = Drift.between(lastWeek, thisWeek).setNumeric("tenure_months", "recency_days", "monetary")
                .setCategorical("channel", "region");
        DriftReport overall = check.compute();
        assertTrue(overall.feature("tenure_months").psi() < Drift.WATCH, "the whole population does not flag it: "
                + overall.feature("tenure_months").psi());

        SegmentReport bySegment = check.compareSegments("device");
        assertEquals(List.of("tablet"), bySegment.movedSegments(), bySegment.table().print());
        assertEquals(Set.of("tenure_months"), Set.copyOf(bySegment.flagged().stream().map(SegmentReport.Cell::feature)
                .toList()), bySegment.table().print());
        SegmentReport.Cell tablet = bySegment.flagged().get(0);
        assertTrue(tablet.psi() > 0.25 && tablet.qValue() < 1e-6, tablet.toString());
        assertTrue(bySegment.summary().startsWith("tablet moved: tenure_months (PSI "), bySegment.summary());
        assertTrue(bySegment.summary().endsWith("No other segment moved beyond chance (3 segments of device × 5"
                + " columns tested at a false discovery rate of 0.05)."), bySegment.summary());
        assertEquals(15, bySegment.cells().size());
        SegmentReport.Cell desktop = bySegment.cells().stream().filter(c -> c.segment().equals("desktop")
                && c.feature().equals("channel")).findFirst().orElseThrow();
        assertTrue(desktop.pValue() > 0 && desktop.pValue() <= 1 && !desktop.flagged(), desktop.toString());
        lastWeek.unpersist();
        thisWeek.unpersist();
    }

    /**
     * Twenty segments, no shift anywhere: two draws of the same generator. The flags are held to a
     * false discovery rate of 5% (and a PSI to watch), so a run with any flag is rare.
     */
    @Test
    void twentySegmentsWithoutAShiftStayQuiet() {
        int runsWithAFlag = 0;
        for (int run = 0; run < 20; run++) {
            // 1,200 customers a segment on each side; the baseline, read twice, is kept.
            Dataset<Row> a = segments(RetailGenerator.builder().optRows(24_000).optSeed(100 + run).build()
                    .generate(spark)).cache();
            Dataset<Row> b = segments(RetailGenerator.builder().optRows(24_000).optSeed(200 + run).build()
                    .generate(spark));
            SegmentReport r = Drift.between(a, b).setNumeric("tenure_months", "recency_days", "monetary")
                    .setCategorical("channel").compareSegments("segment");
            assertEquals(80, r.cells().size(), "20 segments × 4 columns");
            runsWithAFlag += r.flagged().isEmpty() ? 0 : 1;
            a.unpersist();
        }
        System.out.println("segments without a shift: " + runsWithAFlag + " of 20 runs flagged a cell");
        assertTrue(runsWithAFlag <= 1, runsWithAFlag + " of 20 runs flagged a segment without a shift");
    }

    @Test
    void smallSegmentsAreSkippedAndSaidSo() {
        Dataset<Row> a = RetailGenerator.builder().optRows(6_000).optSeed(3).build().generate(spark);
        Dataset<Row> b = RetailGenerator.builder().optRows(6_000).optSeed(4).build().generate(spark);
        SegmentReport r = Drift.between(a, b).setNumeric("tenure_months").optMinSegmentRows(1_000)
                .compareSegments("device");
        assertTrue(r.skipped().stream().anyMatch(s -> s.startsWith("tablet (")), r.skipped().toString());
        assertTrue(r.summary().contains("1 under 1,000 rows skipped"), r.summary());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Drift.between(a, b).setNumeric("tenure_months").compareSegments("colour"));
        assertTrue(missing.getMessage().startsWith("Segment column 'colour' is not in the baseline"),
                missing.getMessage());
        // The chi-square test the cells use, checked on a table worked by hand: 2 × 2, [[10, 20], [20, 10]]
        // gives chi-square 6.667 on 1 degree of freedom, p = 0.009823.
        assertEquals(0.009823, new ChiSquareTest().chiSquareTestDataSetsComparison(new long[] {10, 20},
                new long[] {20, 10}), 1e-6);
    }

    private static Dataset<Row> segments(Dataset<Row> customers) {
        return customers.withColumn("segment", functions.concat(functions.lit("s"),
                functions.col("customer_id").mod(20).cast("string")));
    }
}
