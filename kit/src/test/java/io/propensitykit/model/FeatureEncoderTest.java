package io.propensitykit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The encoder's fast path for a row of numbers ({@link FeatureEncoder.Values#numbers}) against its
 * value-by-value path: on the same rows, good and bad, both must write the same floats, bit for
 * bit, and find the same first problem. The reference is the value-by-value path, which
 * {@link FeatureSpecTest} checks against hand-worked values.
 */
class FeatureEncoderTest {

    /** The values of a row as the Spark front ends read them: all in one go when none is null. */
    private static final class InOneGo implements FeatureEncoder.Values {
        private final RawValues raw = new RawValues();
        private Object[] row;
        private int bulkReads;

        InOneGo at(Object[] next) {
            row = next;
            raw.at(next);
            return this;
        }

        @Override
        public int size() {
            return raw.size();
        }

        @Override
        public boolean isNull(int feature) {
            return raw.isNull(feature);
        }

        @Override
        public boolean isText(int feature) {
            return raw.isText(feature);
        }

        @Override
        public double number(int feature) {
            return raw.number(feature);
        }

        @Override
        public String text(int feature) {
            return raw.text(feature);
        }

        @Override
        public boolean numbers(double[] into) {
            for (int j = 0; j < row.length; j++) {
                if (!(row[j] instanceof Number n)) {
                    return false;
                }
                into[j] = n.doubleValue();
            }
            bulkReads++;
            return true;
        }
    }

    /**
     * A block read in bulk, as column vectors are: a range with no null says so, and its null flags
     * are left holding {@code true}, so that an encoder that reads them anyway gets them wrong.
     */
    private static final class Bulk implements FeatureEncoder.Block {
        private final List<Object[]> rows;
        private final RawValues view = new RawValues();
        private int noNullRanges;

        Bulk(List<Object[]> rows) {
            this.rows = rows;
        }

        @Override
        public int rows() {
            return rows.size();
        }

        @Override
        public FeatureEncoder.Values row(int i) {
            return view.at(rows.get(i));
        }

        @Override
        public boolean numbers(int feature, int from, int count, FeatureEncoder.Numbers into) {
            boolean anyNull = false;
            for (int k = 0; k < count; k++) {
                Object v = rows.get(from + k)[feature];
                if (v != null && !(v instanceof Number)) {
                    return false;
                }
                anyNull |= v == null;
            }
            for (int k = 0; k < count; k++) {
                Object v = rows.get(from + k)[feature];
                into.values()[k] = v == null ? 0 : ((Number) v).doubleValue();
                into.nulls()[k] = anyNull ? v == null : true;
            }
            if (!anyNull) {
                into.noNulls();
                noNullRanges++;
            }
            return true;
        }
    }

    /**
     * a: log1p with a missing flag (training had a null); b: standardized; c: squared and
     * interacted with b; zero(b) an indicator.
     */
    private static FeatureSpec spec() {
        List<Object[]> training = new ArrayList<>();
        Random random = new Random(5);
        for (int i = 0; i < 200; i++) {
            training.add(new Object[] {i % 10 == 0 ? null : random.nextDouble() * 100, (double) random.nextInt(4),
                    random.nextGaussian()});
        }
        return FeatureSpec.fitting(List.of("a", "b", "c"), List.of()).optLogColumns(Set.of("a"))
                .optTerms(List.of(FeatureSpec.Term.power("c", 2), FeatureSpec.Term.product("b", "c"),
                        FeatureSpec.Term.zero("b")))
                .fit(training);
    }

    /**
     * 500 good rows, the nulls and the text among the first 256 (one tile of a block), the values
     * that do not encode (NaN, infinity, log1p's domain, overflow) among the next, where no value is
     * null: there a bulk read finds no null and the encoder must still find each problem.
     */
    private static List<Object[]> rows() {
        Object[][] early = {{null, 2.0, 0.5}, {3.0, null, 0.5}, {0.0, 0.0, 0.0}, {3, 2L, 0.25f}, {3.0, 1.0, "text"}};
        Object[][] late = {
            {Double.NaN, 1.0, 0.5}, {3.0, Double.POSITIVE_INFINITY, 0.5}, {-1.0, 1.0, 0.5}, {-7.0, 1.0, 0.5},
            {3.0, 1.0, 1e300}, {3.0, 1e200, 1e200},
        };
        Random random = new Random(6);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            rows.add(new Object[] {random.nextDouble() * 200 - 0.5, (double) random.nextInt(5),
                    random.nextGaussian() * 3});
            if (i % 20 == 0 && i / 20 < early.length) {
                rows.add(early[i / 20]);
            }
            if (i >= 300 && i % 20 == 0 && (i - 300) / 20 < late.length) {
                rows.add(late[(i - 300) / 20]);
            }
        }
        return rows;
    }

    @Test
    void aBlockReadInBulkEncodesAsValueByValue() {
        FeatureSpec spec = spec();
        FeatureEncoder encoder = spec.encoder();
        List<Object[]> rows = rows();
        int width = encoder.width();
        // Filled with a value no encoding gives, so that a slot left unwritten shows.
        float[] actual = new float[rows.size() * width];
        java.util.Arrays.fill(actual, -99f);
        FeatureProblem[] problems = new FeatureProblem[rows.size()];
        Bulk block = new Bulk(rows);
        int bad = encoder.encode(block, actual, 0, problems, FeatureEncoder.scratch(),
                new FeatureProblem.Reason[rows.size()]);
        int expectedBad = 0;
        for (int i = 0; i < rows.size(); i++) {
            float[] expected = new float[width];
            FeatureProblem reference = encoder.encode(RawValues.of(rows.get(i)), expected, 0);
            assertEquals(reference, problems[i], "first problem of " + java.util.Arrays.toString(rows.get(i)));
            if (reference == null) {
                assertArrayEquals(expected, java.util.Arrays.copyOfRange(actual, i * width, (i + 1) * width), 0f,
                        "encoding of " + java.util.Arrays.toString(rows.get(i)));
            } else {
                expectedBad++;
            }
        }
        assertEquals(expectedBad, bad, "rows with a problem");
        assertTrue(block.noNullRanges > 0, "some ranges had no null: " + block.noNullRanges);
    }

    @Test
    void aRowOfNumbersEncodesInOneGoAsValueByValue() {
        // With log1p, a missing flag and terms; and only standardized, as preprocessing metadata gives.
        // NaN, infinity, log1p of -1 and -7, two overflows, the null without a flag, text.
        inOneGoAsValueByValue(spec(), 8);
        // NaN, infinity, two overflows (c's tiny std), a null in each of two columns, text.
        inOneGoAsValueByValue(FeatureSpec.standardized(List.of("a", "b", "c"), new double[] {50, 2, 0},
                new double[] {30, 1.2, 1e-30}), 7);
    }

    /** @param expectedProblems how many of {@link #rows()} cannot be encoded */
    private static void inOneGoAsValueByValue(FeatureSpec spec, int expectedProblems) {
        FeatureEncoder encoder = spec.encoder();
        List<Object[]> rows = rows();
        InOneGo inOneGo = new InOneGo();
        double[] scratch = new double[encoder.featureCount()];
        int problems = 0;
        for (Object[] row : rows) {
            // Filled with a value no encoding gives, so that a slot left unwritten shows.
            float[] expected = new float[encoder.width()];
            float[] actual = new float[encoder.width()];
            java.util.Arrays.fill(expected, -99f);
            java.util.Arrays.fill(actual, -99f);
            FeatureProblem reference = encoder.encode(RawValues.of(row), expected, 0);
            FeatureProblem fast = encoder.encode(inOneGo.at(row), actual, 0, scratch);
            assertEquals(reference, fast, "first problem of " + java.util.Arrays.toString(row));
            if (reference == null) {
                assertArrayEquals(expected, actual, 0f, "encoding of " + java.util.Arrays.toString(row));
            } else {
                problems++;
            }
        }
        assertEquals(expectedProblems, problems, "the bad rows");
        assertTrue(inOneGo.bulkReads >= 500, "the good rows took the fast path: " + inOneGo.bulkReads);
    }
}
