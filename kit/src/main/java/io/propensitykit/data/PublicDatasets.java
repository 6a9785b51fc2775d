package io.propensitykit.data;

import io.propensitykit.internal.Sha256;
import io.propensitykit.model.FeatureSpec;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the public propensity datasets with typed schemas, after checking each file's sha256
 * against the published one.
 *
 * <pre>{@code
 * PublicDatasets data = PublicDatasets.defaults();           // $KIT_DATA_DIR, else ~/propensity-kit/datasets
 * Dataset<Row> hillstrom = data.hillstrom(spark);
 * Dataset<Row> nswPsid = data.lalonde(spark, PublicDatasets.Comparison.PSID);
 * }</pre>
 *
 * <p>A missing file fails with a message that says where it comes from and how to fetch it.
 */
public final class PublicDatasets {

    /** The system property that moves the datasets directory. */
    public static final String DIR_PROPERTY = "propensity.datasets.dir";

    private static final String[] LALONDE_COLUMNS = {"treat", "age", "education", "black", "hispanic", "married",
        "nodegree", "re74", "re75", "re78"};

    /** The comparison group put against the 185 NSW treated men. */
    public enum Comparison {
        /** The experiment's own 260 controls: the benchmark estimate. */
        NSW(PublicDataset.NSW_CONTROL, "nsw_control"),
        /** 2,490 PSID-1 households: non-experimental, strongly confounded. */
        PSID(PublicDataset.PSID_CONTROLS, "psid"),
        /** 15,992 CPS-1 households: non-experimental, strongly confounded. */
        CPS(PublicDataset.CPS_CONTROLS, "cps");

        private final PublicDataset file;
        private final String sample;

        Comparison(PublicDataset file, String sample) {
            this.file = file;
            this.sample = sample;
        }

        /** @return the file of the comparison group */
        public PublicDataset dataset() {
            return file;
        }
    }

    /** LaLonde's pre-treatment covariates, as {@link #lalonde} names them. */
    public static final List<String> LALONDE_COVARIATES = List.of("age", "education", "married", "nodegree", "black",
            "hispanic", "re74", "re75");

    /**
     * Dehejia and Wahba's (1999) logistic propensity specification against a survey comparison
     * group, as terms added to {@link #LALONDE_COVARIATES}: the squares of age and education,
     * indicators of zero earnings in 1974 and 1975, and education times 1974 earnings; then for
     * PSID the squares of both earnings, for CPS the cube of age.
     *
     * @param comparison PSID or CPS
     * @return the terms, for {@code PropensityTrainer.optTerms}
     */
    public static List<FeatureSpec.Term> dehejiaWahbaTerms(Comparison comparison) {
        List<FeatureSpec.Term> terms = new ArrayList<>(List.of(FeatureSpec.Term.power("age", 2),
                FeatureSpec.Term.power("education", 2), FeatureSpec.Term.zero("re74"), FeatureSpec.Term.zero("re75"),
                FeatureSpec.Term.product("education", "re74")));
        switch (comparison) {
            case PSID -> terms.addAll(List.of(FeatureSpec.Term.power("re74", 2), FeatureSpec.Term.power("re75", 2)));
            case CPS -> terms.add(FeatureSpec.Term.power("age", 3));
            case NSW -> throw new IllegalArgumentException("Dehejia and Wahba specify the propensity against the PSID"
                    + " and CPS groups; the NSW controls are the experiment's own");
        }
        return List.copyOf(terms);
    }

    private final Path dir;

    private PublicDatasets(Path dir) {
        this.dir = dir;
    }

    /**
     * The datasets in {@code dir}.
     *
     * @param dir a directory laid out as {@code datasets/download.sh} leaves it
     * @return the loaders
     */
    public static PublicDatasets at(Path dir) {
        return new PublicDatasets(dir.toAbsolutePath().normalize());
    }

    /**
     * The datasets in {@link Workspace#dataDir()}: {@code -Dpropensity.datasets.dir}, else
     * {@code $KIT_DATA_DIR}, else {@code ~/propensity-kit/datasets}; never the working directory.
     *
     * @return the loaders
     */
    public static PublicDatasets defaults() {
        return at(Workspace.dataDir());
    }

    /** @return the datasets directory */
    public Path dir() {
        return dir;
    }

    /**
     * Whether a dataset's file is present (its checksum is checked on load).
     *
     * @param dataset the dataset
     * @return true when the file exists
     */
    public boolean has(PublicDataset dataset) {
        return Files.isRegularFile(dir.resolve(dataset.file()));
    }

    /**
     * Hillstrom's e-mail test: recency, history_segment, history, mens, womens, zip_code, newbie,
     * channel, segment ({@code Mens E-Mail}, {@code Womens E-Mail}, {@code No E-Mail}), visit,
     * conversion, spend.
     *
     * @param spark the session
     * @return 64,000 customers
     */
    public Dataset<Row> hillstrom(SparkSession spark) {
        StructType schema = new StructType()
                .add("recency", DataTypes.IntegerType, false)
                .add("history_segment", DataTypes.StringType, false)
                .add("history", DataTypes.DoubleType, false)
                .add("mens", DataTypes.IntegerType, false)
                .add("womens", DataTypes.IntegerType, false)
                .add("zip_code", DataTypes.StringType, false)
                .add("newbie", DataTypes.IntegerType, false)
                .add("channel", DataTypes.StringType, false)
                .add("segment", DataTypes.StringType, false)
                .add("visit", DataTypes.IntegerType, false)
                .add("conversion", DataTypes.IntegerType, false)
                .add("spend", DataTypes.DoubleType, false);
        return csv(spark, PublicDataset.HILLSTROM, schema);
    }

    /**
     * UCI Online Shoppers: page counts and durations, bounce and exit rates, page values, month,
     * visitor type, weekend, and the target {@code Revenue}.
     *
     * @param spark the session
     * @return 12,330 sessions
     */
    public Dataset<Row> onlineShoppers(SparkSession spark) {
        StructType schema = new StructType()
                .add("Administrative", DataTypes.IntegerType, false)
                .add("Administrative_Duration", DataTypes.DoubleType, false)
                .add("Informational", DataTypes.IntegerType, false)
                .add("Informational_Duration", DataTypes.DoubleType, false)
                .add("ProductRelated", DataTypes.IntegerType, false)
                .add("ProductRelated_Duration", DataTypes.DoubleType, false)
                .add("BounceRates", DataTypes.DoubleType, false)
                .add("ExitRates", DataTypes.DoubleType, false)
                .add("PageValues", DataTypes.DoubleType, false)
                .add("SpecialDay", DataTypes.DoubleType, false)
                .add("Month", DataTypes.StringType, false)
                .add("OperatingSystems", DataTypes.IntegerType, false)
                .add("Browser", DataTypes.IntegerType, false)
                .add("Region", DataTypes.IntegerType, false)
                .add("TrafficType", DataTypes.IntegerType, false)
                .add("VisitorType", DataTypes.StringType, false)
                .add("Weekend", DataTypes.BooleanType, false)
                .add("Revenue", DataTypes.BooleanType, false);
        return csv(spark, PublicDataset.ONLINE_SHOPPERS, schema);
    }

    /**
     * LaLonde's NSW treated men against a comparison group, with a {@code sample} column naming
     * where each row comes from ({@code nsw_treated}, {@code nsw_control}, {@code psid} or {@code cps}).
     * Columns: treat, age, education, black, hispanic, married, nodegree, re74, re75, re78, sample.
     *
     * @param spark the session
     * @param comparison the control group
     * @return 185 treated rows plus the comparison group's rows
     */
    public Dataset<Row> lalonde(SparkSession spark, Comparison comparison) {
        List<Row> rows = new ArrayList<>();
        readLalonde(PublicDataset.NSW_TREATED, "nsw_treated", rows);
        readLalonde(comparison.file, comparison.sample, rows);
        StructType schema = new StructType();
        for (String c : LALONDE_COLUMNS) {
            schema = schema.add(c, c.startsWith("re") ? DataTypes.DoubleType : DataTypes.IntegerType, false);
        }
        schema = schema.add("sample", DataTypes.StringType, false);
        return spark.createDataFrame(rows, schema);
    }

    /** Whitespace-separated, ten numeric columns, no header; small enough to read on the driver. */
    private void readLalonde(PublicDataset dataset, String sample, List<Row> rows) {
        Path file = verified(dataset);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.trim().split("\\s+");
            if (cells.length != LALONDE_COLUMNS.length) {
                throw new IllegalArgumentException(file + " line " + lineNo + " has " + cells.length
                        + " values; expected " + LALONDE_COLUMNS.length + " (" + String.join(" ", LALONDE_COLUMNS) + ")");
            }
            Object[] values = new Object[cells.length + 1];
            for (int i = 0; i < cells.length; i++) {
                double v = Double.parseDouble(cells[i]);
                values[i] = LALONDE_COLUMNS[i].startsWith("re") ? (Object) v : (Object) (int) Math.round(v);
            }
            values[cells.length] = sample;
            rows.add(RowFactory.create(values));
        }
    }

    private Dataset<Row> csv(SparkSession spark, PublicDataset dataset, StructType schema) {
        Path file = verified(dataset);
        // FAILFAST: a row that does not fit the schema stops the load instead of turning into nulls.
        return spark.read().option("header", "true").option("mode", "FAILFAST").schema(schema)
                .csv(file.toString())
                .select(java.util.Arrays.stream(schema.fieldNames()).map(functions::col)
                        .toArray(org.apache.spark.sql.Column[]::new));
    }

    /** The file's path, after checking that it exists and is the published one. */
    Path verified(PublicDataset dataset) {
        Path file = dir.resolve(dataset.file());
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dataset.file() + " is not in " + dir + ". It comes from "
                    + dataset.source() + ". Run datasets/download.sh on a machine with internet, or point -D"
                    + DIR_PROPERTY + " at a folder that holds it.");
        }
        String actual;
        try {
            actual = Sha256.of(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read " + file, e);
        }
        if (!actual.equals(dataset.sha256())) {
            throw new IllegalArgumentException(file + " has sha256 " + actual + ", but the published file has "
                    + dataset.sha256() + ". It is not the file the kit expects: fetch it again with datasets/download.sh.");
        }
        return file;
    }
}
