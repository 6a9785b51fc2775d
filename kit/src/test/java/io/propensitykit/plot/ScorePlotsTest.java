package io.propensitykit.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.causal.Balance;
import io.propensitykit.causal.Uplift;
import io.propensitykit.causal.Weights;
import io.propensitykit.metrics.BinaryMetrics;
import io.propensitykit.metrics.Calibration;
import io.propensitykit.metrics.Deciles;
import io.propensitykit.metrics.Histogram;
import io.propensitykit.metrics.ScoresFixture;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.w3c.dom.Document;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

/**
 * Each plot through its binned data (checked against counts made here from the raw arrays) and one
 * rendering check: a valid SVG with the series, the bars and the axis titles.
 */
class ScorePlotsTest extends SharedSpark {

    private static final ScoresFixture FIXTURE = ScoresFixture.load();
    private static final double[] s = FIXTURE.scores;
    private static final boolean[] y = FIXTURE.labels;
    private static Dataset<Row> scores;

    @BeforeAll
    static void start() {
        scores = FIXTURE.frame(spark).cache();
    }

    /**
     * A parsable SVG in which every series is drawn (bars counted by their fill colour, one more
     * for the legend swatch; lines by their stroke colour), and a PNG whose axis-title strips hold
     * ink, since XChart draws text as glyph outlines.
     */
    /** The series travel with the chart's HTML, for a rerun to compare: the same numbers, non-finite ones as null. */
    private static void assertCarriesItsData(Plot plot) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<script type=\"application/json\" class=\""
                + Plot.DATA_CLASS + "\">(.*?)</script></div>$").matcher(plot.html());
        assertTrue(m.find(), "the data follows the SVG");
        com.google.gson.JsonObject data = com.google.gson.JsonParser.parseString(m.group(1)).getAsJsonObject();
        assertEquals(plot.chart().getTitle(), data.get("title").getAsString());
        com.google.gson.JsonArray list = data.getAsJsonArray("series");
        assertEquals(plot.series().size(), list.size());
        for (int i = 0; i < list.size(); i++) {
            Plot.Series series = plot.series().get(i);
            com.google.gson.JsonObject o = list.get(i).getAsJsonObject();
            assertEquals(series.name(), o.get("name").getAsString());
            for (String axis : List.of("x", "y")) {
                double[] expected = axis.equals("x") ? series.x() : series.y();
                com.google.gson.JsonArray got = o.getAsJsonArray(axis);
                assertEquals(expected.length, got.size(), series.name());
                for (int k = 0; k < expected.length; k++) {
                    double v = got.get(k).isJsonNull() ? Double.NaN : got.get(k).getAsDouble();
                    assertEquals(expected[k], v, 0.0, series.name() + " " + axis + "[" + k + "]");
                }
            }
        }
    }

    private static void assertRenders(Plot plot, String xTitle, String yTitle) throws Exception {
        String svg = plot.svg();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        // The SVG names the W3C DTD; never fetch it (the tests are offline).
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getNodeName());
        Chart<?, ?> chart = plot.chart();
        assertEquals(xTitle, chart.getXAxisTitle());
        assertEquals(yTitle, chart.getYAxisTitle());
        assertTrue(plot.html().startsWith("%html <div class=\"kit-plot\"><svg"));
        assertCarriesItsData(plot);
        for (Plot.Series series : plot.series()) {
            Object drawn = chart.getSeriesMap().get(series.name());
            assertTrue(drawn != null, series.name());
            if (drawn instanceof CategorySeries points
                    && points.getChartCategorySeriesRenderStyle() == CategorySeries.CategorySeriesRenderStyle.Scatter) {
                assertTrue(count(svg, "fill:" + rgb(points.getMarkerColor())) >= series.x().length,
                        series.name() + ": a marker per covariate");
            } else if (drawn instanceof CategorySeries bars) {
                assertEquals(series.x().length + 1, count(svg, "fill:" + rgb(bars.getFillColor())),
                        series.name() + ": one bar per bin and a legend swatch");
            } else if (((XYSeries) drawn).getXYSeriesRenderStyle() == XYSeries.XYSeriesRenderStyle.Scatter) {
                assertTrue(count(svg, "fill:" + rgb(((XYSeries) drawn).getMarkerColor())) >= series.x().length,
                        series.name() + ": a marker per point");
            } else {
                assertTrue(count(svg, "stroke:" + rgb(((XYSeries) drawn).getLineColor())) >= 1, series.name());
            }
        }
        // XChart draws text as glyph outlines, so the titles are checked as pixels: the chart drawn
        // without its axis titles must differ from the chart drawn with them.
        java.awt.image.BufferedImage with = javax.imageio.ImageIO.read(new ByteArrayInputStream(plot.png()));
        chart.setXAxisTitle("");
        chart.setYAxisTitle("");
        java.awt.image.BufferedImage without = javax.imageio.ImageIO.read(new ByteArrayInputStream(plot.png()));
        chart.setXAxisTitle(xTitle);
        chart.setYAxisTitle(yTitle);
        assertTrue(differing(with, without) > 100, "the axis titles are drawn");
    }

    private static int differing(java.awt.image.BufferedImage a, java.awt.image.BufferedImage b) {
        int n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static String rgb(java.awt.Color c) {
        return "rgb(" + c.getRed() + "," + c.getGreen() + "," + c.getBlue() + ")";
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void histogramBinsEachGroupsShare() throws Exception {
        Plot plot = ScorePlots.histogram(Histogram.of(scores, "score", "label", 10));
        assertEquals(2, plot.series().size());
        long[][] counts = new long[2][10];
        for (int i = 0; i < s.length; i++) {
            counts[y[i] ? 1 : 0][Math.min((int) Math.floor(s[i] * 10), 9)]++;
        }
        for (int g = 0; g < 2; g++) {
            long total = java.util.Arrays.stream(counts[g]).sum();
            double[] expected = java.util.Arrays.stream(counts[g]).mapToDouble(c -> (double) c / total).toArray();
            assertArrayEquals(expected, plot.series().get(g).y(), 1e-12);
            assertEquals("label=" + g, plot.series().get(g).name());
        }
        assertEquals(10, plot.series().get(0).x().length, "one bar per bin");
        assertRenders(plot, "score", "share of group");
    }

    @Test
    void mirroredPutsControlsBelowTheAxis() throws Exception {
        Plot plot = ScorePlots.mirrored(Histogram.byArm(scores, "score", "label", 20));
        assertEquals(List.of("treated", "control"), plot.series().stream().map(Plot.Series::name).toList());
        assertEquals(1.0, java.util.Arrays.stream(plot.series().get(0).y()).sum(), 1e-12);
        assertEquals(-1.0, java.util.Arrays.stream(plot.series().get(1).y()).sum(), 1e-12);
        assertRenders(plot, "score", "share of arm");
    }

    @Test
    void rocAndReliabilityFollowTheMetrics() throws Exception {
        Plot roc = ScorePlots.roc(BinaryMetrics.of(scores, "score", "label"));
        double[] fpr = roc.series().get(1).x();
        double[] tpr = roc.series().get(1).y();
        double area = 0;
        for (int i = 1; i < fpr.length; i++) {
            area += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2;
        }
        // Every vertex of this curve moves a rate by more than the 0.001 resolution, so none is thinned.
        assertEquals(BinaryMetrics.of(s, y).rocAuc(), area, 1e-9);
        assertEquals(1.0, fpr[fpr.length - 1], 0.0);
        assertRenders(roc, "false positive rate", "true positive rate");

        Calibration calibration = Calibration.of(s, y, 10);
        Plot reliability = ScorePlots.reliability(calibration);
        assertEquals(calibration.bins().size(), reliability.series().get(1).x().length);
        assertRenders(reliability, "mean predicted probability", "observed rate");
    }

    @Test
    void gainsDecilesLoveAndWeights(@TempDir Path tmp) throws Exception {
        Deciles deciles = Deciles.of(s, y);
        Plot gains = ScorePlots.gains(deciles);
        assertEquals(11, gains.series().get(1).x().length);
        assertEquals(1.0, gains.series().get(1).y()[10], 1e-12);
        assertRenders(gains, "share of customers (by score, highest first)", "share of responders captured");
        Plot bars = ScorePlots.deciles(deciles);
        assertEquals(10, bars.series().get(0).y().length);
        assertEquals(deciles.rows().get(0).lift(), bars.series().get(0).y()[0], 0.0);
        assertRenders(bars, "decile", "lift over average");

        Dataset<Row> causal = spark.read().option("header", "true").schema(new StructType()
                .add("e", DataTypes.DoubleType).add("t", DataTypes.IntegerType).add("y", DataTypes.IntegerType)
                .add("x1", DataTypes.DoubleType).add("x2", DataTypes.DoubleType).add("m1", DataTypes.DoubleType)
                .add("m0", DataTypes.DoubleType))
                .csv(Path.of(getClass().getResource("/fixtures/causal/causal.csv").toURI()).toString());
        Dataset<Row> weighted = Weights.on(causal).setScore("e").setTreatment("t").optOutputCol("w").add();
        Balance balance = Balance.of(weighted, "t", List.of("x1", "x2"), "w");
        Plot love = EffectPlots.love(balance);
        assertArrayEquals(new double[] {Math.abs(balance.rows().get(0).smdBefore()),
            Math.abs(balance.rows().get(1).smdBefore())}, love.series().get(0).y(), 0.0);
        assertArrayEquals(new double[] {Math.abs(balance.rows().get(0).smdAfter()),
            Math.abs(balance.rows().get(1).smdAfter())}, love.series().get(1).y(), 0.0);
        assertRenders(love, "covariate", "|SMD|");
        Uplift uplift = Uplift.of(causal.withColumn("u", org.apache.spark.sql.functions.expr("m1 - m0")), "u", "t",
                "y");
        Plot qini = EffectPlots.qini(uplift);
        assertArrayEquals(uplift.qini(), qini.series().get(1).y(), 0.0);
        assertArrayEquals(uplift.share(), qini.series().get(1).x(), 0.0);
        assertRenders(qini, "share of customers targeted (by uplift score, highest first)", "incremental responders");

        Plot w = ScorePlots.weights(Histogram.weightsByArm(weighted, "w", "t", 15));
        assertEquals(15, w.series().get(0).y().length);
        assertEquals(1.0, java.util.Arrays.stream(w.series().get(0).y()).sum(), 1e-12, "treated shares");
        assertEquals(1.0, java.util.Arrays.stream(w.series().get(1).y()).sum(), 1e-12, "control shares");
        assertRenders(w, "w", "share of arm");

        Path png = w.save(tmp.resolve("weights.png"));
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 4);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head);
        assertTrue(Files.readString(w.save(tmp.resolve("weights.svg"))).contains("<svg"));
    }
}
