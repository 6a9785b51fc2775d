package io.propensitykit.data;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

/**
 * The real public data, for tests that skip without it: read where the notes and
 * {@code datasets/download.sh} keep it ({@link Workspace#dataDir()}: {@code $KIT_DATA_DIR}, else
 * {@code ~/propensity-kit/datasets}). CI points {@code KIT_DATA_DIR} at the shared copy beside the clone.
 */
public final class SharedDatasets {

    /** Where the data is looked for. */
    public static final Path DIR = Workspace.dataDir();

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
            assumeTrue(data.has(file), file.file() + " is not in " + DIR + " (KIT_DATA_DIR, else"
                    + " ~/propensity-kit/datasets); it comes from " + file.source() + ": datasets/download.sh fetches it there");
        }
        return data;
    }
}
