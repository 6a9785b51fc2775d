package io.propensitykit.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

/** The real public data in {@code ../shared/datasets} beside the project, for tests that skip without it. */
public final class SharedDatasets {

    /** The shared data sits beside the project root, which is the kit module's parent. */
    public static final Path DIR = Path.of("").toAbsolutePath().getParent().resolveSibling("shared")
            .resolve("datasets");

    private SharedDatasets() {}

    /**
     * The loaders on the shared folder, or a skipped test when a file is not there.
     *
     * @param needed the files the test reads
     * @return the loaders
     */
    public static PublicDatasets require(PublicDataset... needed) {
        PublicDatasets data = PublicDatasets.at(DIR);
        for (PublicDataset file : needed) {
            assumeTrue(data.has(file), file.file() + " is not in " + DIR + "; it comes from " + file.source()
                    + " (datasets/download.sh fetches it)");
        }
        return data;
    }
}
