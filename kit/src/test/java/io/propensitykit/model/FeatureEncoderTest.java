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

    @Test
    void aRowOfNumbersEncodesInOneGoAsValueByValue() {
        // a: log1p with a missing flag (training had a null); b: standardized; c: squared and
        // interacted with b; zero(b) an indicator.
        List<Object[]> training = new ArrayList<>();
        Random random = new Random(5);
        for (int i = 0; i < 200; i++) {
            training.add(new Object[] {i % 10 == 0 ? null : random.nextDouble() * 100, (double) random.nextInt(4),
                    random.nextGaussian()});
        }
        FeatureSpec spec = FeatureSpec.fitting(List.of("a", "b", "c"), List.of()).optLogColumns(Set.of("a"))
                .optTerms(List.of(FeatureSpec.Term.power("c", 2), FeatureSpec.Term.product("b", "c"),
                        FeatureSpec.Term.zero("b")))
                .fit(training);
        FeatureEncoder encoder = spec.encoder();
        // Good rows and each kind of bad value, in every column, and a row with a null.
        Object[][] special = {
            {Double.NaN, 1.0, 0.5}, {3.0, Double.POSITIVE_INFINITY, 0.5}, {-1.0, 1.0, 0.5}, {-7.0, 1.0, 0.5},
            {3.0, 1.0, 1e300}, {3.0, 1e200, 1e200}, {null, 2.0, 0.5}, {3.0, null, 0.5}, {0.0, 0.0, 0.0},
            {3, 2L, 0.25f}, {3.0, 1.0, "text"},
        };
        List<Object[]> rows = new ArrayList<>(List.of(special));
        for (int i = 0; i < 500; i++) {
            rows.add(new Object[] {random.nextDouble() * 200 - 0.5, (double) random.nextInt(5), random.nextGaussian() * 3});
        }
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
        // NaN, infinity, log1p of -1 and -7, two overflows, the null without a flag, text.
        assertEquals(8, problems, "the bad rows");
        assertTrue(inOneGo.bulkReads >= 500, "the good rows took the fast path: " + inOneGo.bulkReads);
    }
}
