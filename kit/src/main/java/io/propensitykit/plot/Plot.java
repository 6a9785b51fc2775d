package io.propensitykit.plot;

import io.propensitykit.display.Display;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A drawn chart and the binned numbers behind it. In a Zeppelin {@code %spark} paragraph,
 * {@code plot.show()} (or {@code println(plot)}) displays it as {@code %html}; {@link #save} writes
 * SVG or PNG.
 *
 * <pre>{@code
 * ScorePlots.mirrored(Histogram.byArm(scored, "p_treated", "treated", 20)).show();
 * ScorePlots.roc(BinaryMetrics.of(scored, "propensity", "purchased")).save(Path.of("roc.svg"));
 * }</pre>
 */
public final class Plot {

    /**
     * One plotted series: what the chart draws, for tests and exports.
     *
     * @param name the legend name
     * @param x the x values (bin centres, thresholds, deciles)
     * @param y the y values
     */
    public record Series(String name, double[] x, double[] y) {}

    private final Chart<?, ?> chart;
    private final List<Series> series;

    Plot(Chart<?, ?> chart, List<Series> series) {
        this.chart = chart;
        this.series = List.copyOf(series);
    }

    /** @return the series as plotted */
    public List<Series> series() {
        return series;
    }

    /** @return the XChart chart, to restyle before rendering */
    public Chart<?, ?> chart() {
        return chart;
    }

    /** @return the chart as a standalone SVG document */
    public String svg() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not render the chart as SVG", e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** @return the chart as PNG bytes */
    public byte[] png() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not render the chart as PNG", e);
        }
        return out.toByteArray();
    }

    /** The class of the {@code <script type="application/json">} that carries a chart's data in its {@code %html}. */
    public static final String DATA_CLASS = "kit-plot-data";

    /**
     * @return Zeppelin {@code %html} output: the SVG inline, without its XML prologue, followed by
     *     the series it was drawn from as JSON ({@link #dataJson}) in a script element no browser runs,
     *     so that a rerun's report can compare charts by their numbers
     */
    public String html() {
        String svg = svg();
        int start = svg.indexOf("<svg");
        return "%html <div class=\"kit-plot\">" + (start >= 0 ? svg.substring(start) : svg)
                + "<script type=\"application/json\" class=\"" + DATA_CLASS + "\">" + dataJson() + "</script></div>";
    }

    /**
     * The chart's title and series as JSON: {@code {"title": …, "series": [{"name": …, "x": […],
     * "y": […]}]}}, a value that is not finite written as null. The text is safe inside a script
     * element: {@code <} and {@code >} are escaped.
     *
     * @return the JSON text
     */
    public String dataJson() {
        return Display.chartData(chart.getTitle(), series.stream().map(Series::name).toList(),
                series.stream().map(Series::x).toList(), series.stream().map(Series::y).toList());
    }

    /** @return Zeppelin {@code %html} output with the chart as an inline PNG */
    public String htmlPng() {
        return "%html <img alt=\"" + Display.escape(chart.getTitle()) + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png()) + "\">";
    }

    /**
     * Prints the chart as {@code %html}, which Zeppelin and {@code kit run} display, then switches
     * the output back to {@code %text} (as Zeppelin's {@code z.show} does), so that what the
     * paragraph prints next is not taken into the chart.
     */
    public void show() {
        System.out.println(html());
        System.out.println("%text ");
    }

    /**
     * Saves the chart: SVG unless the file name ends in {@code .png}.
     *
     * @param file the target file
     * @return the file
     */
    public Path save(Path file) {
        try {
            if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
                Files.write(file, png());
            } else {
                Files.writeString(file, svg(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
        return file;
    }

    /** @return the {@code %html} rendering, so that {@code println(plot)} displays it in Zeppelin */
    @Override
    public String toString() {
        return html();
    }
}
