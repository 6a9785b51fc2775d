package io.propensitykit.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.plot.Plot;
import io.propensitykit.plot.ScorePlots;

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
        assertTrue(r.toZeppelinTable().startsWith("%table gamma\t"));
        Plot plot = ScorePlots.sensitivity(r);
        assertEquals(List.of("sign test", "signed-rank test", "alpha"), plot.series().stream().map(Plot.Series::name)
                .toList());
        assertTrue(plot.svg().contains("<svg"));
    }

    @Test
    void ranksAverageTies() {
        assertEquals(List.of(1.0, 2.5, 2.5, 4.0), java.util.Arrays.stream(Sensitivity.ranks(new double[] {1, 2, 2, 3}))
                .boxed().toList());
    }
}
