package io.propensitykit.model;

/**
 * DJL settings the kit needs before the PyTorch engine starts: offline, no telemetry, and one
 * torch thread per task, because Spark already runs one task per core.
 *
 * <p>A value the user set (system property) is kept. The engine reads these once, at start.
 */
public final class EngineDefaults {

    private EngineDefaults() {}

    /** Sets each default unless the JVM already has a value for it. Safe to call repeatedly. */
    public static void apply() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("ai.djl.pytorch.num_threads", "1");
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null && System.getenv(key) == null) {
            System.setProperty(key, value);
        }
    }
}
