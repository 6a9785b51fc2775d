package io.propensitykit.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.plot.EffectPlots;
import io.propensitykit.plot.Plot;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The E-value against VanderWeele and Ding's worked example, and Rosenbaum bounds against SciPy
 * ({@code fixtures/causal/make_causal_fixture.py}: exact binomial and normal tails, brentq for Γ).
 */
class SensitivityTest {

    @Test
    void eValueOfThePublishedExample() {
        // VanderWeele & Ding (2017): an observed risk ratio of 3.9 (95% CI 1.8 to 8.7) has an
        // E-value of 7.26, and 3.0 for its lower limit.
        assertEquals(7.26, Sensitivity.eValue(3.9), 0.005);
        assertEquals(3.9 + Math.sqrt(3.9 * 2.9), Sensitivity.eValue(3.9), 1e-12);
        assertEquals(3.0, Sensitivity.eValue(1.8, 8.7), 1e-12);
        assertEquals(Sensitivity.eValue(3.9), Sensitivity.eValue(1 / 3.9), 1e-12, "a protective ratio is inverted");
        assertEquals(1.0, Sensitivity.eValue(0.8, 1.3), 0.0, "an interval containing 1 needs no confounding");
        assertThrows(IllegalArgumentException.class, () -> Sensitivity.eValue(-1));
    }

    @Test
    void rosenbaumBoundsMatchSciPy() throws Exception {
        Path csv = Path.of(SensitivityTest.class.getResource("/fixtures/causal/pairs.csv").toURI());
        double[] d = Files.readAllLines(csv).stream().skip(1).mapToDouble(Double::parseDouble).toArray();
        Sensitivity.Rosenbaum r = Sensitivity.rosenbaum(d, 0.05);
        assertEquals(40, r.pairs());
        assertEquals(28, r.positive());
        assertEquals(0.39687719583242154, Sensitivity.signTest(40, 28, 2), 1e-9);
        Sensitivity.Bound atTwo = r.bounds().stream().filter(b -> b.gamma() == 2.0).findFirst().orElseThrow();
        assertEquals(0.39687719583242154, atTwo.signTest(), 1e-9);
        assertEquals(0.35102065589112313, atTwo.wilcoxon(), 1e-9);
        assertEquals(1.271283264, r.signGamma(), 1e-6);
        assertEquals(1.226854815, r.wilcoxonGamma(), 1e-6);
        assertTrue(io.propensitykit.display.Display.table(r.table()).startsWith("%table gamma\t"));
        assertTrue(r.toString().startsWith("Rosenbaum[") && r.toString().contains("sign test to Γ 1.27"),
                r.toString());
        Plot plot = EffectPlots.sensitivity(r);
        assertEquals(List.of("sign test", "signed-rank test", "alpha"), plot.series().stream().map(Plot.Series::name)
                .toList());
        assertTrue(plot.svg().contains("<svg"));
    }

    /**
     * The worked example of Rosenbaum (Observational Studies, 2002, ch. 4): 33 pairs of children's
     * blood lead, exposed against matched controls (Morton et al. 1982), in lead.csv. References
     * from make_matching_fixture.py (SciPy: binomial tail, normal approximation, brentq).
     */
    @Test
    void rosenbaumBoundsOfThePublishedLeadExampleMatchSciPy() throws Exception {
        Path csv = Path.of(SensitivityTest.class.getResource("/fixtures/causal/lead.csv").toURI());
        double[] d = Files.readAllLines(csv).stream().skip(1).map(line -> line.split(","))
                .mapToDouble(p -> Double.parseDouble(p[0]) - Double.parseDouble(p[1])).toArray();
        Sensitivity.Rosenbaum r = Sensitivity.rosenbaum(d, 0.05);
        assertEquals(32, r.pairs(), "one pair ties and is dropped");
        assertEquals(28, r.positive());
        double[][] reference = {
            {1, 9.6505973488092422e-06, 5.5308015357736255e-06},
            {2, 0.0069731615379874969, 0.0017717042841824823},
            {3, 0.069757388819258054, 0.013058170452012099},
            {4, 0.20438390048601646, 0.036658361016008327},
            {5, 0.36409604814522828, 0.069369358224431688},
        };
        for (double[] ref : reference) {
            Sensitivity.Bound b = r.bounds().stream().filter(x -> x.gamma() == ref[0]).findFirst().orElseThrow();
            assertEquals(ref[1], b.signTest(), 1e-9, "sign test at gamma " + ref[0]);
            assertEquals(ref[2], b.wilcoxon(), 1e-9, "signed-rank test at gamma " + ref[0]);
        }
        assertEquals(2.793675674, r.signGamma(), 1e-6);
        assertEquals(4.434647234, r.wilcoxonGamma(), 1e-6);
    }

    @Test
    void ranksAverageTies() {
        assertEquals(List.of(1.0, 2.5, 2.5, 4.0), java.util.Arrays.stream(Sensitivity.ranks(new double[] {1, 2, 2, 3}))
                .boxed().toList());
    }
}
