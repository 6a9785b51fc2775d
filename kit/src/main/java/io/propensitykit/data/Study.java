package io.propensitykit.data;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A public dataset as a propensity study: its rows, and its columns' roles (numeric and
 * categorical features, the treatment if there is one, the outcome). One shape for all, so a note
 * runs the same steps on each.
 *
 * <pre>{@code
 * Study study = Study.of("hillstrom");
 * List<PublicDataset> missing = study.missing(data);      // what download.sh still has to fetch
 * Dataset<Row> rows = study.rows(spark, data);             // with the treatment and outcome as 0/1
 * trainer.setNumeric(study.numeric()).setCategorical(study.categorical()).setLabel(study.label());
 * }</pre>
 */
public enum Study {
    /** Hillstrom's e-mail test: was the customer e-mailed (either e-mail), and did they visit. */
    HILLSTROM("Hillstrom e-mail test", List.of(PublicDataset.HILLSTROM),
            List.of("recency", "history", "mens", "womens", "newbie"), List.of("zip_code", "channel"), "emailed",
            "visit"),
    /** The 185 NSW trained men against PSID-1: the effect of training on 1978 earnings. */
    NSW("NSW / LaLonde with PSID", List.of(PublicDataset.NSW_TREATED, PublicDataset.PSID_CONTROLS),
            List.of("age", "education", "black", "hispanic", "married", "nodegree", "re74", "re75"), List.of(),
            "treat", "re78"),
    /** UCI Online Shoppers: no treatment, a purchase outcome to rank. */
    ONLINE_SHOPPERS("UCI Online Shoppers", List.of(PublicDataset.ONLINE_SHOPPERS),
            List.of("Administrative", "Informational", "ProductRelated", "ProductRelated_Duration", "BounceRates",
                    "ExitRates", "PageValues", "SpecialDay"), List.of("Month", "VisitorType"), null, "bought");

    private final String title;
    private final List<PublicDataset> files;
    private final List<String> numeric;
    private final List<String> categorical;
    private final String treatment;
    private final String outcome;

    Study(String title, List<PublicDataset> files, List<String> numeric, List<String> categorical, String treatment,
            String outcome) {
        this.title = title;
        this.files = files;
        this.numeric = numeric;
        this.categorical = categorical;
        this.treatment = treatment;
        this.outcome = outcome;
    }

    /**
     * The study a form's value names.
     *
     * @param key {@code hillstrom}, {@code nsw} or {@code online_shoppers}
     * @return the study
     */
    public static Study of(String key) {
        return Arrays.stream(values()).filter(s -> s.key().equals(key)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("No study '" + key + "'; choose one of "
                        + Arrays.stream(values()).map(Study::key).toList()));
    }

    /** @return the form value that names it: the lower-case name */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return a title for people */
    public String title() {
        return title;
    }

    /** @return numeric feature columns */
    public List<String> numeric() {
        return numeric;
    }

    /** @return categorical feature columns */
    public List<String> categorical() {
        return categorical;
    }

    /** @return the 0/1 treatment column, empty when the study has none */
    public Optional<String> treatment() {
        return Optional.ofNullable(treatment);
    }

    /** @return the 0/1 outcome column */
    public String outcome() {
        return outcome;
    }

    /** @return what a propensity model predicts: the treatment if there is one, else the outcome */
    public String label() {
        return treatment == null ? outcome : treatment;
    }

    /**
     * The study's files not in the datasets directory.
     *
     * @param data the datasets directory
     * @return the missing files, empty when the study can run
     */
    public List<PublicDataset> missing(PublicDatasets data) {
        return files.stream().filter(f -> !data.has(f)).toList();
    }

    /**
     * The study's rows, checksums checked, with the treatment (and a 0/1 outcome) as integers.
     *
     * @param spark the session
     * @param data the datasets directory
     * @return the rows
     */
    public Dataset<Row> rows(SparkSession spark, PublicDatasets data) {
        return switch (this) {
            case HILLSTROM -> data.hillstrom(spark).withColumn(treatment,
                    functions.col("segment").notEqual("No E-Mail").cast("int"));
            case NSW -> data.lalonde(spark, PublicDatasets.Comparison.PSID);
            case ONLINE_SHOPPERS -> data.onlineShoppers(spark).withColumn(outcome, functions.col("Revenue").cast("int"));
        };
    }
}
