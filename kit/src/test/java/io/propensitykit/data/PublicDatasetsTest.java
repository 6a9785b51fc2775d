package io.propensitykit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loaders on the real files in the data directory ({@code KIT_DATA_DIR}), when present;
 * the missing-file and checksum errors on files of our own.
 */
class PublicDatasetsTest extends SharedSpark {

    @Test
    void hillstromVisitRatesPerArmEqualTheFile() throws Exception {
        PublicDatasets data = SharedDatasets.require(PublicDataset.HILLSTROM);
        // Independent count: the raw CSV split by hand. Only history_segment (an early column) is ever
        // quoted with a comma inside, so segment and visit are read from the end of the line.
        Map<String, long[]> byArm = new HashMap<>();
        List<String> lines = Files.readAllLines(SharedDatasets.DIR.resolve("hillstrom.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.strip().split(",");
            long[] counts = byArm.computeIfAbsent(cells[cells.length - 4], k -> new long[2]);
            counts[0]++;
            counts[1] += Long.parseLong(cells[cells.length - 3]);
        }
        List<Row> rates = data.hillstrom(spark).groupBy("segment")
                .agg(org.apache.spark.sql.functions.count("*"), org.apache.spark.sql.functions.sum("visit"))
                .collectAsList();
        assertEquals(3, rates.size());
        for (Row r : rates) {
            long[] expected = byArm.get(r.getString(0));
            assertEquals(expected[0], r.getLong(1), r.getString(0));
            assertEquals(expected[1], r.getLong(2), r.getString(0));
            assertEquals((double) expected[1] / expected[0], (double) r.getLong(2) / r.getLong(1), 0.0);
        }
        assertEquals(64_000, data.hillstrom(spark).count());
    }

    @Test
    void nswSampleSizesAreExact() {
        PublicDatasets data = SharedDatasets.require(PublicDataset.CPS_CONTROLS);
        Map<String, Long> sizes = new HashMap<>();
        for (PublicDatasets.Comparison c : PublicDatasets.Comparison.values()) {
            for (Row r : data.lalonde(spark, c).groupBy("sample").count().collectAsList()) {
                sizes.put(r.getString(0), r.getLong(1));
            }
        }
        assertEquals(Map.of("nsw_treated", 185L, "nsw_control", 260L, "psid", 2_490L, "cps", 15_992L), sizes);
        Row treatedMeans = data.lalonde(spark, PublicDatasets.Comparison.NSW).where("sample = 'nsw_treated'")
                .agg(org.apache.spark.sql.functions.avg("treat"), org.apache.spark.sql.functions.min("age")).first();
        assertEquals(1.0, treatedMeans.getDouble(0), 0.0);
        assertEquals(17, treatedMeans.getInt(1));
    }

    @Test
    void onlineShoppersKeepsItsTypes() {
        PublicDatasets data = SharedDatasets.require(PublicDataset.ONLINE_SHOPPERS);
        Row r = data.onlineShoppers(spark).agg(org.apache.spark.sql.functions.count("*"),
                org.apache.spark.sql.functions.avg(org.apache.spark.sql.functions.col("Revenue").cast("double")))
                .first();
        assertEquals(12_330, r.getLong(0));
        // 1,908 of 12,330 sessions end in a purchase (15.47%), as the dataset's description says.
        assertEquals(1_908 / 12_330.0, r.getDouble(1), 1e-12);
    }

    /**
     * Each study's rows carry the columns its roles name, the treatment and binary outcomes as 0/1
     * (Hillstrom's treatment is the two e-mail arms together: 42,694 of 64,000 customers, counted in
     * the CSV with Python's csv module), and a study says which of its files are missing.
     */
    @Test
    void studiesNameTheirColumnsAndTheirMissingFiles(@TempDir Path tmp) {
        assertEquals(Study.NSW, Study.of("nsw"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Study.of("lalonde"));
        assertEquals("No study 'lalonde'; choose one of [hillstrom, nsw, online_shoppers]", unknown.getMessage());
        assertEquals(List.of(PublicDataset.NSW_TREATED, PublicDataset.PSID_CONTROLS),
                Study.NSW.missing(PublicDatasets.at(tmp)));
        assertEquals("visit", Study.ONLINE_SHOPPERS.treatment().orElse("visit"));
        assertEquals("bought", Study.ONLINE_SHOPPERS.label());
        PublicDatasets data = SharedDatasets.require(PublicDataset.HILLSTROM);
        for (Study study : Study.values()) {
            if (!study.missing(data).isEmpty()) {
                continue;
            }
            Dataset<Row> rows = study.rows(spark, data);
            List<String> columns = List.of(rows.columns());
            assertTrue(columns.containsAll(study.numeric()) && columns.containsAll(study.categorical())
                    && columns.contains(study.outcome()) && columns.contains(study.label()), study + ": " + columns);
            assertEquals(0, rows.where(org.apache.spark.sql.functions.col(study.label()).isin(0, 1)
                    .unary_$bang()).count(), study.label());
        }
        Row emailed = Study.HILLSTROM.rows(spark, data).agg(org.apache.spark.sql.functions.sum("emailed")).first();
        assertEquals(42_694, emailed.getLong(0));
    }

    @Test
    void missingAndAlteredFilesSayWhatToDo(@TempDir Path tmp) throws Exception {
        PublicDatasets empty = PublicDatasets.at(tmp);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> empty.hillstrom(spark));
        assertTrue(missing.getMessage().startsWith("hillstrom.csv is not in " + tmp + ". It comes from the MineThatData"),
                missing.getMessage());
        assertTrue(missing.getMessage().contains("datasets/download.sh"));

        Files.writeString(tmp.resolve("hillstrom.csv"), "recency,history_segment\n1,x\n");
        IllegalArgumentException altered = assertThrows(IllegalArgumentException.class, () -> empty.hillstrom(spark));
        assertTrue(altered.getMessage().contains("but the published file has 0e5893329d8b"), altered.getMessage());
    }
}
