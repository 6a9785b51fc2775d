package io.propensitykit.cli;

import io.propensitykit.cli.ScoreJob.Format;
import io.propensitykit.display.Display;
import io.propensitykit.internal.Columns;
import io.propensitykit.metrics.Calibrator;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.monitor.Drift;
import io.propensitykit.monitor.DriftProfile;
import io.propensitykit.monitor.DriftReport;
import io.propensitykit.monitor.ExpectedPerformance;
import io.propensitykit.monitor.FeatureDrift;
import io.propensitykit.monitor.SegmentReport;
import io.propensitykit.plot.DriftPlots;
import io.propensitykit.plot.Plot;
import io.propensitykit.spark.Propensity;
import io.propensitykit.spark.PropensityScorer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import tech.tablesaw.api.Table;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code kit drift}: what moved between a baseline and a current input, for the model's score and
 * every feature it reads. Prints the table ranked by PSI, writes {@code drift.json} and
 * {@code drift.html} into {@code --out}, and with {@code --fail-above} exits with
 * {@value #DRIFTED} when a column's PSI is above it, so that a scoring pipeline can gate on it.
 *
 * <pre>
 * kit/bin/kit drift --model models/retail_mlp.pt --baseline week47.parquet --current week48.parquet \
 *     --out drift/week48 --fail-above 0.25
 * </pre>
 *
 * <p>Inputs that hold the score column are compared as they are; inputs without it are scored
 * with the model first (both the same way). Each run also writes the baseline's profile,
 * {@value #PROFILE}: given as {@code --baseline} to later runs, it spares them reading the baseline
 * (twice) again, and the baseline need not be kept.
 */
@Command(name = "kit drift", mixinStandardHelpOptions = true, versionProvider = KitVersion.class, sortOptions = false,
        description = "Compares a current input with a baseline: PSI, KS, nulls and shifts of the score and every"
                + " feature the model reads. Exit status 3 when a PSI is above --fail-above.")
public final class DriftJob implements Callable<Integer>, Cli.SettingFlags {

    /** Exit status when a column's PSI is above {@code --fail-above}. */
    public static final int DRIFTED = 3;
    /** The baseline's profile in {@code --out}, which a later run takes as its {@code --baseline}. */
    public static final String PROFILE = "baseline-profile.json";

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M",
            description = "the model whose features and score are compared (.pt, DJL directory, classpath:...)")
    private String model;

    @Option(names = "--baseline", required = true, paramLabel = "B",
            description = "the reference rows (Parquet or CSV), or a profile of them (a .json that an earlier run"
                    + " wrote as " + PROFILE + ")")
    private String baseline;

    @Option(names = "--current", required = true, paramLabel = "C", description = "the rows to compare: Parquet or CSV")
    private String current;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where drift.json and drift.html go")
    private String out;

    @Option(names = "--fail-above", paramLabel = "PSI",
            description = "exit with status 3 when any column's PSI is above this (for example 0.25)")
    private Double failAbove;

    @Option(names = "--reference-labels", paramLabel = "COL", description = "the baseline's 0/1 outcome column: the"
            + " report adds the ROC AUC, positive rate and top-decile lift the current scores should expect (scores"
            + " calibrated on the baseline; the current needs no labels) beside the baseline's realized ones")
    private String referenceLabels;

    @Option(names = "--fail-below-auc", paramLabel = "AUC", description = "with --reference-labels: exit with status 3"
            + " when the AUC expected of the current scores is below this (for example 0.75)")
    private Double failBelowAuc;

    @Option(names = "--segment", paramLabel = "COL[,COL…]", split = ",", description = "also compare within the"
            + " segments these columns make (device, channel): PSI and a chi-square test per segment and column,"
            + " flagged after Benjamini-Hochberg at --fdr over all of them")
    private List<String> segments;

    @Option(names = "--fdr", paramLabel = "Q", defaultValue = "0.05", description = "with --segment: the false"
            + " discovery rate over all segment × column tests (default ${DEFAULT-VALUE})")
    private double fdr;

    @Option(names = "--min-segment-rows", paramLabel = "N", defaultValue = "1000", description = "with --segment: the"
            + " fewest rows a segment needs on each side to be tested (default ${DEFAULT-VALUE})")
    private long minSegmentRows;

    @Option(names = "--score-col", paramLabel = "C", defaultValue = PropensityScorer.DEFAULT_OUTPUT_COL,
            description = "the score column; inputs without it are scored (default ${DEFAULT-VALUE})")
    private String scoreCol;

    @Option(names = "--watch", paramLabel = "PSI", defaultValue = "0.1",
            description = "PSI from which a column is to watch (default ${DEFAULT-VALUE})")
    private double watch;

    @Option(names = "--act", paramLabel = "PSI", defaultValue = "0.25",
            description = "PSI from which a column is to act on (default ${DEFAULT-VALUE})")
    private double act;

    @Option(names = "--format", paramLabel = "F", description = "input format: ${COMPLETION-CANDIDATES} (default: from"
            + " the names)")
    private Format format;

    @Mixin
    private SparkOptions sparkOptions;

    @Option(names = "--overwrite", description = "replace DIR if it exists")
    private boolean overwrite;

    private final PrintStream log;

    /** A job that prints on standard output and reports on standard error. */
    public DriftJob() {
        this(System.err);
    }

    /**
     * A job that reports on {@code log}.
     *
     * @param log where progress and the summary go
     */
    public DriftJob(PrintStream log) {
        this.log = log;
    }

    /**
     * Runs the job and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        Cli.exit(new DriftJob(), args);
    }

    @Override
    public Map<String, String> settingFlags() {
        return Map.of("Write one with Drift.forModel(model, baseline).profile().save(spark, path)",
                "Write one with kit drift (" + PROFILE + " in its --out)");
    }

    @Override
    public Integer call() throws IOException {
        if (failAbove != null && !(failAbove >= 0 && Double.isFinite(failAbove))) {
            throw Cli.usage(spec, "Invalid value for option '--fail-above': " + failAbove
                    + " is not a PSI (0 or more)");
        }
        if (failBelowAuc != null && referenceLabels == null) {
            throw Cli.usage(spec, "--fail-below-auc needs --reference-labels COL: the baseline's outcomes calibrate"
                    + " the estimate");
        }
        if (failBelowAuc != null && !(failBelowAuc >= 0 && failBelowAuc <= 1)) {
            throw Cli.usage(spec, "Invalid value for option '--fail-below-auc': " + failBelowAuc + " is not an AUC"
                    + " (0 to 1)");
        }
        if (segments != null && isProfile(baseline)) {
            throw Cli.usage(spec, "--segment compares each segment with the same segment of the baseline's rows; a"
                    + " profile (" + baseline + ") holds none. Give the baseline's rows as --baseline");
        }
        if (segments != null && !(fdr > 0 && fdr < 1)) {
            throw Cli.usage(spec, "Invalid value for option '--fdr': " + fdr + "; give a rate in (0, 1), such as 0.05");
        }
        if (segments != null && minSegmentRows < 1) {
            throw Cli.usage(spec, "Invalid value for option '--min-segment-rows': " + minSegmentRows);
        }
        if (referenceLabels != null && isProfile(baseline)) {
            throw Cli.usage(spec, "--reference-labels needs the baseline's rows with their outcomes, not the profile "
                    + baseline + "; give the labelled baseline as --baseline");
        }
        if (!(watch > 0 && act >= watch && Double.isFinite(act))) {
            throw Cli.usage(spec, "--watch " + watch + " and --act " + act + " must satisfy 0 < watch <= act");
        }
        try (SparkApp app = SparkApp.start("kit drift", sparkOptions.master());
                ProgressListener progress = ProgressListener.attach(app.spark().sparkContext(), "kit drift", log, 5)) {
            SparkSession spark = app.spark();
            OutputPaths.Target target = OutputPaths.check(spark.sparkContext().hadoopConfiguration(), "--out", out,
                    overwrite, baseline, current);
            PropensityModel loaded = Propensity.load(spark, model);
            log.println("kit drift: " + loaded);
            Dataset<Row> c = scored(loaded, ScoreJob.read(spark, "--current", current, formatOf(current)),
                    "current");
            boolean saved = isProfile(baseline);
            Baseline base = saved ? new Baseline(checked(DriftProfile.load(spark, baseline), loaded), null, null, null)
                    : profile(spark, loaded, c);
            DriftProfile reference = base.profile();
            DriftReport report = Drift.against(reference, c).optThresholds(watch, act).compute();
            Table table = report.table();
            System.out.println(table.printAll());
            Performance performance = base.map() == null ? null : new Performance(base.realized(),
                    ExpectedPerformance.on(c).setScore(scoreCol).optCalibrator(base.map()).optLabel(
                            Arrays.asList(c.columns()).contains(referenceLabels) ? referenceLabels : null).compute());
            if (performance != null) {
                System.out.println(performance.table().printAll());
                log.println("kit drift: " + performance.summary());
            }
            if (base.segments() != null) {
                System.out.println(base.segments().table().printAll());
                log.println("kit drift: by " + String.join(", ", segments) + ": " + base.segments().summary());
            }
            write(target, report, saved ? null : reference, performance, base.segments());
            boolean drifted = failAbove != null && report.exceeds(failAbove);
            boolean worse = failBelowAuc != null && performance.now().auc() < failBelowAuc;
            if (worse) {
                log.printf(Locale.ROOT, "kit drift: the AUC expected of the current scores, %.4f, is below"
                        + " --fail-below-auc %s%n", performance.now().auc(), failBelowAuc);
            }
            FeatureDrift worst = report.worst();
            log.printf(Locale.ROOT, "kit drift: %d columns, %d to act on, %d to watch; largest PSI %.4f (%s)%s;"
                    + " wrote %s/drift.json%s in %.1f s%n", report.features().size(),
                    count(report, FeatureDrift.Status.ACT), count(report, FeatureDrift.Status.WATCH), worst.psi(),
                    worst.feature(), drifted ? String.format(Locale.ROOT, ", above --fail-above %s", failAbove) : "",
                    out, saved ? " and drift.html" : ", drift.html and " + PROFILE, progress.seconds());
            return drifted || worse ? DRIFTED : Cli.OK;
        }
    }

    private static boolean isProfile(String path) {
        return path.toLowerCase(Locale.ROOT).endsWith(".json");
    }

    /**
     * The baseline's profile, and with {@code --reference-labels} its calibration map and realized
     * performance.
     *
     * @param profile the baseline's profile
     * @param map isotonic, fitted on the baseline's scores and outcomes, or null
     * @param realized the baseline's realized (and expected) performance, or null
     * @param segments the drift within segments, or null without {@code --segment}
     */
    private record Baseline(DriftProfile profile, Calibrator map, ExpectedPerformance.Expected realized,
            SegmentReport segments) {}

    /**
     * The baseline's profile: scored first when it lacks the score column, and then kept (the
     * compared columns only, and the outcome) for the profile's two passes and the calibration, so
     * that the model runs over it once.
     */
    private Baseline profile(SparkSession spark, PropensityModel loaded, Dataset<Row> current) {
        Dataset<Row> raw = ScoreJob.read(spark, "--baseline", baseline, formatOf(baseline));
        if (referenceLabels != null && !Arrays.asList(raw.columns()).contains(referenceLabels)) {
            throw Cli.usage(spec, "--reference-labels " + referenceLabels + ": the baseline " + baseline + " has no"
                    + " such column; it has " + Arrays.toString(raw.columns()));
        }
        boolean keep = !holdsScores(raw) || referenceLabels != null || segments != null;
        Dataset<Row> b = scored(loaded, raw, "baseline");
        List<String> columns = new java.util.ArrayList<>(compared(loaded));
        if (referenceLabels != null) {
            columns.add(referenceLabels);
        }
        if (segments != null) {
            for (String segment : segments) {
                if (!Arrays.asList(raw.columns()).contains(segment)) {
                    throw Cli.usage(spec, "--segment " + segment + ": the baseline " + baseline + " has no such"
                            + " column; it has " + Arrays.toString(raw.columns()));
                }
                if (!columns.contains(segment)) {
                    columns.add(segment);
                }
            }
        }
        // On disk only: a partition of millions of scored rows, serialized into memory first, does not fit a 1 GB
        // heap (100,000,000 rows in 34 partitions ran out of it); written to disk it streams.
        Dataset<Row> kept = keep ? b.select(columns.stream().map(Columns::named).toArray(Column[]::new))
                .persist(StorageLevel.DISK_ONLY()) : b;
        try {
            DriftProfile profile = Drift.forModel(loaded.metadata(), kept).setScore(scoreCol).profile();
            SegmentReport bySegment = segments == null ? null : Drift.forModel(loaded.metadata(), kept, current)
                    .setScore(scoreCol).optThresholds(watch, act).optFdr(fdr).optMinSegmentRows(minSegmentRows)
                    .compareSegments(segments.toArray(new String[0]));
            if (referenceLabels == null) {
                return new Baseline(profile, null, null, bySegment);
            }
            // Fitted on scores rounded to 1e-5: at most 100,001 distinct points reach the driver however many rows
            // the baseline has (100,000,000 float scores hold millions of distinct values, too many for a 1 GB heap).
            Calibrator map = Calibrator.isotonic(kept.withColumn(scoreCol, functions.round(Columns.named(scoreCol), 5)),
                    scoreCol, referenceLabels);
            ExpectedPerformance.Expected realized = ExpectedPerformance.on(kept).setScore(scoreCol)
                    .optLabel(referenceLabels).optCalibrator(map).optReference(kept, referenceLabels).compute();
            return new Baseline(profile, map, realized, bySegment);
        } finally {
            if (keep) {
                kept.unpersist();
            }
        }
    }

    /**
     * The performance part of the report: the baseline's realized figures, and the current's expected
     * ones (and realized, when its outcomes are there too).
     */
    private record Performance(ExpectedPerformance.Expected baseline, ExpectedPerformance.Expected now) {

        Table table() {
            record Line(String metric, double baseline, double expected, double realized) {}
            List<Line> lines = List.of(new Line("ROC AUC", baseline.realizedAuc(), now.auc(), now.realizedAuc()),
                    new Line("positive rate", baseline.realizedRate(), now.rate(), now.realizedRate()),
                    new Line("top-decile lift", baseline.realizedLift(), now.lift(), now.realizedLift()));
            return io.propensitykit.display.Rows.of("Are the scores still good? (before outcomes)", lines)
                    .text("metric", Line::metric).number("baseline (realized)", Line::baseline, 4)
                    .number("current (expected)", Line::expected, 4).number("current (realized)", Line::realized, 4)
                    .table();
        }

        String summary() {
            String warning = baseline.calibrationWarning(ExpectedPerformance.DEFAULT_ECE_WARNING);
            return String.format(Locale.ROOT, "expected of the current scores: AUC %.4f (baseline %.4f), positive rate"
                    + " %.4f (%.4f), top-decile lift %.2f (%.2f)%s%s", now.auc(), baseline.realizedAuc(), now.rate(),
                    baseline.realizedRate(), now.lift(), baseline.realizedLift(), Double.isNaN(now.realizedAuc()) ? ""
                            : String.format(Locale.ROOT, "; realized AUC %.4f", now.realizedAuc()),
                    warning == null ? "" : ". Warning: " + warning);
        }

        /** The fields drift.json gains: expected, baseline and (when present) realized figures. */
        void addTo(JsonObject root) {
            add(root, "expected_auc", now.auc());
            add(root, "expected_auc_bin_error", now.aucBinError());
            add(root, "expected_rate", now.rate());
            add(root, "expected_lift", now.lift());
            add(root, "baseline_auc", baseline.realizedAuc());
            add(root, "baseline_rate", baseline.realizedRate());
            add(root, "baseline_lift", baseline.realizedLift());
            add(root, "reference_ece", baseline.referenceEce());
            if (!Double.isNaN(now.realizedAuc())) {
                add(root, "realized_auc", now.realizedAuc());
                add(root, "realized_rate", now.realizedRate());
                add(root, "realized_lift", now.realizedLift());
            }
        }

        private static void add(JsonObject root, String name, double value) {
            if (Double.isFinite(value)) {
                root.addProperty(name, value);
            }
        }
    }

    /** A saved profile, if it profiles what this model reads and scores. */
    private DriftProfile checked(DriftProfile reference, PropensityModel loaded) {
        List<String> expected = compared(loaded);
        List<String> profiled = List.copyOf(reference.columns().keySet());
        if (!new HashSet<>(profiled).equals(new HashSet<>(expected))
                || reference.columns().get(scoreCol) != FeatureDrift.Kind.SCORE) {
            throw Cli.usage(spec, "--baseline " + baseline + " profiles " + profiled + " (" + reference.source()
                    + "), but model " + model + " with --score-col " + scoreCol + " compares " + expected
                    + ". Profile this model's baseline with kit drift first.");
        }
        return reference;
    }

    private Format formatOf(String path) {
        return format != null ? format : ScoreJob.formatOf(path);
    }

    /** The input as it is when it holds the score column, else scored with the model. */
    private Dataset<Row> scored(PropensityModel loaded, Dataset<Row> df, String side) {
        if (holdsScores(df)) {
            requireProbabilities(df, side);
            log.println("kit drift: the " + side + " holds '" + scoreCol + "'; its scores are compared as they are");
            return df;
        }
        return Propensity.scorer(loaded).optOutputCol(scoreCol).build().transform(df);
    }

    /** A score compared as it is must be a probability, as everywhere else in the kit. */
    private void requireProbabilities(Dataset<Row> df, String side) {
        Column score = Columns.named(scoreCol).cast("double");
        Column bad = score.lt(0).or(score.gt(1)).or(functions.isnan(score));
        Row r = df.agg(functions.sum(functions.when(bad, 1).otherwise(0)), functions.count(functions.lit(1)),
                functions.first(functions.when(bad, score), true)).first();
        long outside = r.isNullAt(0) ? 0 : r.getLong(0);
        if (outside > 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "the %s's '%s' holds %,d of %,d scores"
                    + " outside [0, 1] (for example %s): a score is a probability. Recompute them, or drop the column"
                    + " so that kit drift scores the %s with the model.", side, scoreCol, outside, r.getLong(1),
                    r.get(2), side));
        }
    }

    private boolean holdsScores(Dataset<Row> df) {
        return Arrays.asList(df.columns()).contains(scoreCol);
    }

    /** The model's features and the score: the columns drift compares. */
    private List<String> compared(PropensityModel loaded) {
        return Stream.concat(loaded.metadata().features().stream(), Stream.of(scoreCol)).toList();
    }

    private static long count(DriftReport report, FeatureDrift.Status status) {
        return report.features().stream().filter(f -> f.status() == status).count();
    }

    private void write(OutputPaths.Target target, DriftReport report, DriftProfile reference, Performance performance,
            SegmentReport bySegment) throws IOException {
        FileSystem fs = target.fs();
        if (target.existed()) {
            fs.delete(target.path(), true);
        }
        fs.mkdirs(target.path());
        String json = report.json();
        if (performance != null || bySegment != null) {
            JsonObject root = JsonParser.parseString(json).getAsJsonObject();
            if (performance != null) {
                performance.addTo(root);
            }
            if (bySegment != null) {
                root.add("segments", segmentsJson(bySegment));
            }
            json = new GsonBuilder().setPrettyPrinting().create().toJson(root);
        }
        writeFile(fs, new org.apache.hadoop.fs.Path(target.path(), "drift.json"), json);
        writeFile(fs, new org.apache.hadoop.fs.Path(target.path(), "drift.html"), html(report, performance, bySegment));
        if (reference != null) {
            writeFile(fs, new org.apache.hadoop.fs.Path(target.path(), PROFILE), reference.json());
        }
    }

    private static void writeFile(FileSystem fs, org.apache.hadoop.fs.Path path, String text) throws IOException {
        try (FSDataOutputStream stream = fs.create(path, false)) {
            stream.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A standalone page: the verdict, the table, PSI by column and each drifted column's bins. */
    /** The segments part of drift.json: what was tested, and every cell. */
    private static JsonObject segmentsJson(SegmentReport r) {
        JsonObject o = new JsonObject();
        com.google.gson.JsonArray columns = new com.google.gson.JsonArray();
        r.segmentColumns().forEach(columns::add);
        o.add("columns", columns);
        o.addProperty("fdr", r.fdr());
        o.addProperty("min_rows", r.minRows());
        o.addProperty("summary", r.summary());
        com.google.gson.JsonArray cells = new com.google.gson.JsonArray();
        for (SegmentReport.Cell c : r.cells()) {
            JsonObject cell = new JsonObject();
            cell.addProperty("segment", c.segment());
            cell.addProperty("feature", c.feature());
            cell.addProperty("baseline_rows", c.baselineRows());
            cell.addProperty("current_rows", c.currentRows());
            cell.addProperty("psi", c.psi());
            cell.addProperty("p_value", c.pValue());
            cell.addProperty("q_value", c.qValue());
            cell.addProperty("flagged", c.flagged());
            cells.add(cell);
        }
        o.add("cells", cells);
        com.google.gson.JsonArray skipped = new com.google.gson.JsonArray();
        r.skipped().forEach(skipped::add);
        o.add("skipped", skipped);
        return o;
    }

    private String html(DriftReport report, Performance performance, SegmentReport bySegment) {
        StringBuilder page = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>kit drift"
                + "</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;text-align:left}"
                + ".num{text-align:right;font-variant-numeric:tabular-nums}</style></head><body>\n");
        page.append("<h1>What changed</h1>\n<p>").append(isProfile(baseline) ? "Baseline profile" : "Baseline")
                .append(" <code>").append(Display.escape(baseline)).append("</code> (")
                .append(String.format(Locale.ROOT, "%,d", report.baselineRows()))
                .append(" rows) against current <code>")
                .append(Display.escape(current)).append("</code> (")
                .append(String.format(Locale.ROOT, "%,d", report.currentRows())).append(" rows), model <code>")
                .append(Display.escape(model)).append("</code>. PSI thresholds: watch from ").append(report.watch())
                .append(", act from ").append(report.act()).append(".</p>\n<p>");
        page.append(report.drifted().isEmpty() ? "No column reaches the watch threshold."
                : "Moved: " + String.join(", ", report.drifted().stream().map(f -> Display.escape(f.feature())
                        + String.format(Locale.ROOT, " (PSI %.3f, %s)", f.psi(), f.status().name().toLowerCase(
                                Locale.ROOT))).toList()) + ".");
        page.append("</p>\n").append(Display.htmlTable(Display.tableData(report.table()))).append('\n');
        if (bySegment != null) {
            page.append("<h2>Within segments</h2>\n<p>").append(Display.escape(bySegment.summary())).append("</p>\n")
                    .append(Display.htmlTable(Display.tableData(bySegment.table()))).append('\n');
        }
        if (performance != null) {
            page.append("<h2>Are the scores still good? (before outcomes)</h2>\n<p>").append(Display.escape(
                    performance.summary())).append(". Expected figures assume the scores, calibrated on the baseline,"
                    + " stay calibrated: a change in how customers respond (concept shift) does not show until the"
                    + " outcomes arrive.</p>\n").append(Display.htmlTable(Display.tableData(performance.table())))
                    .append('\n');
        }
        page.append(svg(DriftPlots.psi(report)));
        page.append(svg(DriftPlots.drift(report.feature(scoreCol))));
        report.drifted().stream().filter(f -> !f.feature().equals(scoreCol))
                .forEach(f -> page.append(svg(DriftPlots.drift(f))));
        return page.append("</body></html>\n").toString();
    }

    private static String svg(Plot plot) {
        String svg = plot.svg();
        return "<div>" + svg.substring(Math.max(0, svg.indexOf("<svg"))) + "</div>\n";
    }
}
