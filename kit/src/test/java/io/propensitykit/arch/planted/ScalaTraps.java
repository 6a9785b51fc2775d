package io.propensitykit.arch.planted;

/** Planted: three calls a Scala note cannot write plainly, for NotebookApiTest to catch. */
public final class ScalaTraps {

    private ScalaTraps() {}

    /** Planted: {@code traps.match()} does not parse in Scala. */
    public static void match() {}

    /** Planted: {@code nearest("id", true)} says nothing of what {@code true} means. */
    public static void nearest(String id, boolean replace) {}

    /** Planted: five positional arguments, one of them named with a Scala keyword. */
    public static void of(String df, String score, String type, double caliper, int seed) {}
}
