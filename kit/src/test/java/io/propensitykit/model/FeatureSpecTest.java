package io.propensitykit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonParser;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The feature spec on a hand-checkable table: means, stds, levels and buckets worked out by hand. */
class FeatureSpecTest {

    // spend: 0, 10, 20, null -> mean 10, population std sqrt(200/3); channel: web x2, app, null.
    private static final List<Object[]> ROWS = List.of(
            new Object[] {0.0, "web"}, new Object[] {10.0, "web"}, new Object[] {20.0, "app"},
            new Object[] {null, null});

    private static float[] encode(FeatureSpec spec, Object... raw) {
        float[] out = new float[spec.width()];
        assertNull(spec.encode(raw, out, 0));
        return out;
    }

    @Test
    void standardizesImputesAndOneHotEncodes() {
        FeatureSpec spec = FeatureSpec.fit(ROWS, List.of("spend"), List.of("channel"), 10);
        assertEquals(List.of("spend", "spend_missing", "channel=app", "channel=web", "channel=<unknown>"),
                spec.encodedNames());
        float std = (float) Math.sqrt(200.0 / 3);
        assertArrayEquals(new float[] {10 / std, 0, 0, 1, 0}, encode(spec, 20.0, "web"), 1e-6f);
        assertArrayEquals(new float[] {0, 1, 0, 0, 1}, encode(spec, null, "store"), 1e-6f);
        assertArrayEquals(new float[] {-10 / std, 0, 1, 0, 0}, encode(spec, 0, "app"), 1e-6f);
        assertEquals(new FeatureProblem(0, Double.NaN, FeatureProblem.Reason.NOT_FINITE),
                spec.encode(new Object[] {Double.NaN, "web"}, new float[spec.width()], 0), "NaN cannot be encoded");
        assertEquals(new FeatureProblem(0, "ten", FeatureProblem.Reason.NOT_A_NUMBER),
                spec.encode(new Object[] {"ten", "web"}, new float[spec.width()], 0), "text in a numeric column");
        assertEquals(new FeatureProblem(0, 1e300, FeatureProblem.Reason.OVERFLOW),
                spec.encode(new Object[] {1e300, "web"}, new float[spec.width()], 0), "beyond float32 once standardized");
        assertEquals(new FeatureProblem(0, new FeatureProblem.Width(1, 2), FeatureProblem.Reason.WRONG_WIDTH),
                spec.encode(new Object[] {1.0}, new float[spec.width()], 0), "one value for two columns");
        // A categorical column given numbers reads them as levels: 3.0 is the level "3", as in training.
        FeatureSpec codes = FeatureSpec.fit(List.<Object[]>of(new Object[] {3}, new Object[] {4}), List.of(),
                List.of("store"), 10);
        assertArrayEquals(encode(codes, 3), encode(codes, 3.0), 0f);
        assertArrayEquals(new float[] {1, 0, 0}, encode(codes, "3"), 0f);
    }

    @Test
    void keepsTheMostFrequentLevelsAndRoundTripsThroughJson() {
        FeatureSpec spec = FeatureSpec.fit(ROWS, List.of("spend"), List.of("channel"), 1);
        assertEquals(List.of("spend", "spend_missing", "channel=web", "channel=<unknown>"), spec.encodedNames());
        FeatureSpec back = FeatureSpec.fromJson(JsonParser.parseString(spec.toJson().toString()).getAsJsonObject());
        assertEquals(spec, back);
        assertArrayEquals(encode(spec, 5.0, "app"), encode(back, 5.0, "app"), 0f);
    }

    @Test
    void logTransformAndNullsWithoutAFlag() {
        List<Object[]> rows = new ArrayList<>();
        for (double v : new double[] {0, Math.E - 1, Math.E * Math.E - 1}) {
            rows.add(new Object[] {v});
        }
        FeatureSpec spec = FeatureSpec.fitting(List.of("days"), List.of()).optMaxLevels(5).optLogColumns(Set.of("days"))
                .fit(rows);
        // log1p gives 0, 1, 2: mean 1, std sqrt(2/3).
        assertArrayEquals(new float[] {(float) (1 / Math.sqrt(2.0 / 3))}, encode(spec, Math.E * Math.E - 1), 1e-5f);
        assertEquals(new FeatureProblem(0, null, FeatureProblem.Reason.NULL),
                spec.encode(new Object[] {null}, new float[spec.width()], 0), "no nulls in training: a null is invalid");
        assertEquals(new FeatureProblem(0, -1.0, FeatureProblem.Reason.OUTSIDE_LOG1P),
                spec.encode(new Object[] {-1.0}, new float[spec.width()], 0), "log1p(-1) is -infinity");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureSpec.fitting(List.of("days"), List.of()).optLogColumns(Set.of("days"))
                        .fit(List.<Object[]>of(new Object[] {-2.0})));
        assertEquals("Column 'days' holds -2.0 in the training data, which log1p cannot take; fix or drop such rows"
                + " before fitting.", e.getMessage());
    }

    @Test
    void specificationTermsFollowTheRawColumnsAndRoundTrip() {
        List<Object[]> rows = List.of(new Object[] {0.0, 2.0}, new Object[] {3.0, 1.0}, new Object[] {0.0, 4.0},
                new Object[] {5.0, 1.0});
        FeatureSpec spec = FeatureSpec.fitting(List.of("re74", "educ"), List.of()).optTerms(
                List.of(FeatureSpec.Term.zero("re74"), FeatureSpec.Term.power("educ", 2),
                        FeatureSpec.Term.product("educ", "re74"))).fit(rows);
        assertEquals(List.of("re74", "educ", "re74==0", "educ^2", "educ*re74"), spec.encodedNames());
        assertEquals(List.of("re74", "educ"), spec.inputColumns());
        // re74==0 is 1, 0, 1, 0: mean 0.5, SD 0.5; educ^2 is 4, 1, 16, 1: mean 5.5, SD sqrt(68.5 - 30.25).
        float[] x = encode(spec, 0.0, 2.0);
        assertEquals(1f, x[2], 1e-6f);
        assertEquals((float) ((4 - 5.5) / Math.sqrt(38.25)), x[3], 1e-6f);
        FeatureSpec back = FeatureSpec.fromJson(JsonParser.parseString(spec.toJson().toString()).getAsJsonObject());
        assertEquals(spec, back);
        assertArrayEquals(encode(spec, 3.0, 1.0), encode(back, 3.0, 1.0), 0f);
        assertThrows(IllegalArgumentException.class, () -> FeatureSpec.fitting(List.of("re74", "educ"), List.of())
                .optTerms(List.of(FeatureSpec.Term.zero("age"))).fit(rows), "a term of a column that is not numeric input");
        assertThrows(IllegalArgumentException.class, () -> FeatureSpec.Term.power("age", 1));
    }
}
