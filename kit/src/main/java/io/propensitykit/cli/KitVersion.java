package io.propensitykit.cli;

import ai.djl.engine.Engine;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The kit's version, as {@code -V}/{@code --version} prints it for every command and for
 * {@code kit/bin/kit -V}: the kit's, then Spark's, Scala's, DJL's and Java's.
 */
public final class KitVersion implements CommandLine.IVersionProvider {

    /** @return the kit's version from the build, or {@code unknown} outside a build */
    public static String kit() {
        try (InputStream in = KitVersion.class.getResourceAsStream("kit-version.txt")) {
            return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** @return one line: the kit's version and those it runs on */
    public static String line() {
        return "propensity kit " + kit() + " (Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION() + ", Scala "
                + scala.util.Properties.versionNumberString() + ", DJL " + Engine.getDjlVersion() + ", Java "
                + Runtime.version().feature() + ")";
    }

    @Override
    public String[] getVersion() {
        return new String[] {line()};
    }

    /**
     * Prints {@link #line()}: {@code kit/bin/kit -V}.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        System.out.println(line());
    }
}
