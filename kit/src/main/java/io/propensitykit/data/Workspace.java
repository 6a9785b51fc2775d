package io.propensitykit.data;

import java.nio.file.Path;

/**
 * Where notes read public data and write their files, whatever directory the JVM was started in:
 * a Zeppelin interpreter runs in its server's directory, never in the project's.
 *
 * <pre>{@code
 * val work = z.textbox("work_dir", Workspace.workDir().toString).toString    // trained models, CSVs
 * val data = PublicDatasets.at(Paths.get(z.textbox("data_dir", Workspace.dataDir().toString).toString))
 * }</pre>
 */
public final class Workspace {

    /** The environment variable that names the public datasets' directory. */
    public static final String DATA_DIR_ENV = "KIT_DATA_DIR";
    /** The environment variable that names the notes' work directory. */
    public static final String WORK_DIR_ENV = "KIT_WORK_DIR";

    private Workspace() {}

    /**
     * The directory notes write to by default: {@code $KIT_WORK_DIR}, else
     * {@code propensity-kit-USER} in the system's temporary directory.
     *
     * @return an absolute path; created by whoever writes there first
     */
    public static Path workDir() {
        String env = System.getenv(WORK_DIR_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "propensity-kit-" + System.getProperty("user.name"));
    }

    /**
     * The directory of the public datasets by default: the system property
     * {@value PublicDatasets#DIR_PROPERTY}, else {@code $KIT_DATA_DIR}, else
     * {@code propensity-kit/datasets} in the user's home, where {@code datasets/download.sh DIR}
     * can put them.
     *
     * @return an absolute path
     */
    public static Path dataDir() {
        String property = System.getProperty(PublicDatasets.DIR_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath();
        }
        String env = System.getenv(DATA_DIR_ENV);
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath();
        }
        return Path.of(System.getProperty("user.home"), "propensity-kit", "datasets");
    }
}
