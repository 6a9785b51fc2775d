package io.propensitykit.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.display.Tabular;
import io.propensitykit.model.PropensityModel;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The kit's public API as a {@code %spark} paragraph meets it. Scala reserves words that are plain
 * Java names ({@code matching.match()} does not parse in a note), and a call with bare booleans or a
 * long positional list cannot be read without the Javadoc, because Scala cannot name the arguments of
 * a Java method. So no public method or parameter of the library is named with a Scala keyword, and
 * none takes a {@code boolean} or more than four arguments: settings are named builder methods.
 * The planted classes in {@code arch.planted} show that each check can fail.
 */
class NotebookApiTest {

    /** Scala 2.12's reserved words (the language specification, 1.1); Java reserves some of them too. */
    static final Set<String> SCALA_KEYWORDS = Set.of("abstract", "case", "catch", "class", "def", "do", "else",
            "extends", "false", "final", "finally", "for", "forSome", "if", "implicit", "import", "lazy", "macro",
            "match", "new", "null", "object", "override", "package", "private", "protected", "return", "sealed",
            "super", "this", "throw", "trait", "try", "true", "type", "val", "var", "while", "with", "yield");

    /** More positional arguments than this, and a call reads as a puzzle. */
    static final int MAX_POSITIONAL = 4;

    /** The command line is not called from notes; the runner and the bench live in modules of their own. */
    private static final String COMMANDS = "io.propensitykit.cli";

    @Test
    void noPublicNameIsAScalaKeywordAndNoCallTakesABooleanOrALongList() {
        List<String> problems = problems(new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.propensitykit"));
        assertTrue(problems.isEmpty(), problems.size() + " public calls a Scala note cannot write plainly:\n"
                + String.join("\n", problems));
    }

    @Test
    void eachCheckFailsOnAPlantedMethod() {
        List<String> problems = problems(new ClassFileImporter().importPackages("io.propensitykit.arch.planted"));
        assertEquals(List.of(
                "io.propensitykit.arch.planted.ScalaTraps.match(): named with the Scala keyword 'match'",
                "io.propensitykit.arch.planted.ScalaTraps.nearest(String, boolean): takes a bare boolean",
                "io.propensitykit.arch.planted.ScalaTraps.of(String, String, String, double, int): takes 5"
                        + " positional arguments (at most 4)",
                "io.propensitykit.arch.planted.ScalaTraps.of(String, String, String, double, int): parameter 'type'"
                        + " is the Scala keyword 'type'"), problems);
    }

    @Test
    void theModelHandleShowsAUserNothingOfTheExecutors() {
        // Leases, runtimes and shipments are ModelRuntime's, for the Spark front ends; a note holds the model.
        Set<String> handle = new TreeSet<>();
        for (Method m : PropensityModel.class.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()) {
                handle.add(m.getName());
            }
        }
        assertEquals(new TreeSet<>(Set.of("load", "builder", "location", "metadata", "features", "format",
                "sha256", "predict", "close", "toString")), handle);
    }

    /** Where the kit's results live: what a note computes and then shows. */
    static final List<String> RESULT_PACKAGES = List.of("io.propensitykit.metrics", "io.propensitykit.causal",
            "io.propensitykit.monitor", "io.propensitykit.explain");

    @Test
    void everyResultShowsItselfAsATableAndEchoesItselfInOneLine() {
        List<String> problems = displayProblems(new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.propensitykit"),
                RESULT_PACKAGES);
        assertTrue(problems.isEmpty(), problems.size() + " results that would show a record dump in a note:\n"
                + String.join("\n", problems));
    }

    @Test
    void theDisplayRuleFailsOnAPlantedResult() {
        assertEquals(List.of(
                "io.propensitykit.arch.planted.DumpedResult: a record without its own toString (a REPL echoes a dump)",
                "io.propensitykit.arch.planted.DumpedResult: a result record that is not Tabular (no show())"),
                displayProblems(new ClassFileImporter().importPackages("io.propensitykit.arch.planted"),
                        List.of("io.propensitykit.arch.planted")));
    }

    /**
     * Every public record of a result package declares a short {@code toString} (the default dumps
     * every component, 16 digits a double, which is what a REPL echoes), and every top-level one is
     * {@link Tabular}: it shows itself with {@code show()}, the one way results show themselves.
     */
    static List<String> displayProblems(Iterable<JavaClass> classes, List<String> packages) {
        List<String> problems = new ArrayList<>();
        for (JavaClass imported : classes) {
            Class<?> type = imported.reflect();
            if (!packages.contains(imported.getPackageName()) || !type.isRecord() || !isVisible(type)) {
                continue;
            }
            if (type.getEnclosingClass() == null && !Tabular.class.isAssignableFrom(type)) {
                problems.add(type.getName() + ": a result record that is not Tabular (no show())");
            }
            // javac declares a record's implicit toString final; one written by hand is not (ours never are).
            boolean own;
            try {
                own = !Modifier.isFinal(type.getDeclaredMethod("toString").getModifiers());
            } catch (NoSuchMethodException e) {
                own = false;
            }
            if (!own) {
                problems.add(type.getName() + ": a record without its own toString (a REPL echoes a dump)");
            }
        }
        problems.sort(null);
        return problems;
    }

    static List<String> problems(Iterable<JavaClass> classes) {
        List<String> problems = new ArrayList<>();
        for (JavaClass imported : classes) {
            if (!imported.getModifiers().contains(com.tngtech.archunit.core.domain.JavaModifier.PUBLIC)
                    || imported.getPackageName().startsWith(COMMANDS) || imported.isAnonymousClass()) {
                continue;
            }
            Class<?> type = imported.reflect();
            if (!isVisible(type)) {
                continue;
            }
            List<Executable> calls = new ArrayList<>(Arrays.asList(type.getDeclaredMethods()));
            if (!type.isRecord()) { // a result's canonical constructor is the kit's, never a note's
                calls.addAll(Arrays.asList(type.getDeclaredConstructors()));
            }
            calls.stream().filter(c -> Modifier.isPublic(c.getModifiers()) && !c.isSynthetic())
                    .filter(c -> !(c instanceof Method m && (m.isBridge() || overridesForeign(type, m))))
                    .sorted((a, b) -> signature(type, a).compareTo(signature(type, b)))
                    .forEach(c -> check(type, c, problems));
        }
        return problems;
    }

    private static void check(Class<?> type, Executable call, List<String> problems) {
        String where = signature(type, call);
        String name = call instanceof Method ? call.getName() : type.getSimpleName();
        if (SCALA_KEYWORDS.contains(name)) {
            problems.add(where + ": named with the Scala keyword '" + name + "'");
        }
        if (Arrays.stream(call.getParameterTypes()).anyMatch(p -> p == boolean.class || p == Boolean.class)) {
            problems.add(where + ": takes a bare boolean");
        }
        if (call.getParameterCount() > MAX_POSITIONAL) {
            problems.add(where + ": takes " + call.getParameterCount() + " positional arguments (at most "
                    + MAX_POSITIONAL + ")");
        }
        for (Parameter p : call.getParameters()) {
            if (p.isNamePresent() && SCALA_KEYWORDS.contains(p.getName())) {
                problems.add(where + ": parameter '" + p.getName() + "' is the Scala keyword '" + p.getName() + "'");
            }
        }
    }

    private static boolean isVisible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
            if (!Modifier.isPublic(t.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** Spark's, Scala's and Java's contracts (a Transformer's params, a UDF's call) keep their own shape. */
    private static boolean overridesForeign(Class<?> type, Method m) {
        List<Class<?>> supers = new ArrayList<>(Arrays.asList(type.getInterfaces()));
        for (Class<?> s = type.getSuperclass(); s != null; s = s.getSuperclass()) {
            supers.add(s);
            supers.addAll(Arrays.asList(s.getInterfaces()));
        }
        for (Class<?> s : supers) {
            if (s.getName().startsWith("io.propensitykit.")) {
                continue;
            }
            try {
                s.getMethod(m.getName(), m.getParameterTypes());
                return true;
            } catch (NoSuchMethodException e) {
                // not this one's
            }
        }
        return false;
    }

    private static String signature(Class<?> type, Executable call) {
        String name = call instanceof Method ? call.getName() : "<init>";
        return type.getName() + "." + name + "(" + String.join(", ", Arrays.stream(call.getParameterTypes())
                .map(Class::getSimpleName).toList()) + ")";
    }
}
