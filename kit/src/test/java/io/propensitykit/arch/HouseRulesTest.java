package io.propensitykit.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of the kit's packages may depend on which. Each rule says why in its failure message; the
 * planted classes (the {@code planted} packages in the tests) show that each rule can fail.
 */
class HouseRulesTest {

    private static final JavaClasses KIT = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.propensitykit");

    /** Loading and encoding a model work without Spark: the driver's checks and the executors share them. */
    static final ArchRule MODEL_WITHOUT_SPARK = noClasses().that().resideInAPackage("io.propensitykit.model..")
            .should().dependOnClassesThat().resideInAPackage("io.propensitykit.spark..")
            .because("the model package loads and encodes without Spark: the kit's Spark front ends build on it,"
                    + " never the other way round");

    /** Numbers know no pictures. */
    static final ArchRule NUMBERS_WITHOUT_PICTURES = noClasses().that()
            .resideInAnyPackage("io.propensitykit.metrics..", "io.propensitykit.causal..", "io.propensitykit.monitor..",
                    "io.propensitykit.explain..")
            .should().dependOnClassesThat().resideInAPackage("io.propensitykit.plot..")
            .because("metrics, causal, monitor and explain compute results; plot draws them, so a number never"
                    + " depends on a picture");

    /** The library stands alone: the runner is one of its users. */
    static final ArchRule KIT_WITHOUT_RUNNER = noClasses().that().resideInAPackage("io.propensitykit..")
            .and().resideOutsideOfPackage("io.propensitykit.notebook..")
            .should().dependOnClassesThat().resideInAPackage("io.propensitykit.notebook..")
            .because("the kit is a library used from Zeppelin, spark-submit and the runner alike; it never"
                    + " reaches into the runner");

    /** Pictures compute nothing: they draw what metrics and causal computed. */
    static final ArchRule PLOT_ONLY_ON_RESULTS = classes().that().resideInAPackage("io.propensitykit.plot..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.propensitykit.plot..",
                    "io.propensitykit.metrics..", "io.propensitykit.causal..", "io.propensitykit.monitor..",
                    "io.propensitykit.explain..", "io.propensitykit.display..", "java..",
                    "org.knowm.xchart..")
            .because("a plot takes a result of metrics or causal and draws it; binning, curves and any Spark work"
                    + " belong to the result, where both the Spark and the array paths share them");

    /** Pictures stay below what they draw: a result is drawn without the Spark front end that computed it. */
    static final ArchRule PLOT_BELOW_WHAT_IT_DRAWS = classes().that().resideInAPackage("io.propensitykit.plot..")
            .should(new ArchCondition<JavaClass>("draw results that do not depend on the kit's Spark front end") {
                @Override
                public void check(JavaClass plot, ConditionEvents events) {
                    for (JavaClass drawn : kitTargets(plot)) {
                        if (drawn.getPackageName().startsWith("io.propensitykit.plot")) {
                            continue;
                        }
                        kitTargets(drawn).stream().filter(t -> t.getPackageName().startsWith("io.propensitykit.spark"))
                                .forEach(t -> events.add(SimpleConditionEvent.violated(plot, plot.getName() + " draws "
                                        + drawn.getName() + ", which depends on " + t.getName())));
                    }
                }
            })
            .because("a result type is what both its computation and its picture share; when it reaches up into the"
                    + " scoring front end, plot and spark are one floor and the next cycle is a method away");

    /** One family of pictures per family of results. */
    static final ArchRule PLOT_FAMILIES = classes().that().resideInAPackage("io.propensitykit.plot..")
            .should(new ArchCondition<JavaClass>("draw the results of one package") {
                @Override
                public void check(JavaClass plot, ConditionEvents events) {
                    Set<String> drawn = new TreeSet<>();
                    for (JavaClass t : kitTargets(plot)) {
                        RESULT_PACKAGES.stream().filter(p -> t.getPackageName().startsWith(p)).forEach(drawn::add);
                    }
                    if (drawn.size() > 1) {
                        events.add(SimpleConditionEvent.violated(plot, plot.getName() + " draws the results of "
                                + drawn));
                    }
                }
            })
            .because("a plot class that imports every result package is the hub every change goes through; scores,"
                    + " effects, drift and explanations each have their own (ScorePlots, EffectPlots, DriftPlots,"
                    + " ExplainPlots)");

    private static final List<String> RESULT_PACKAGES = List.of("io.propensitykit.metrics", "io.propensitykit.causal",
            "io.propensitykit.monitor", "io.propensitykit.explain");

    /** The kit's classes a class refers to directly. */
    private static Set<JavaClass> kitTargets(JavaClass from) {
        Set<JavaClass> targets = new HashSet<>();
        for (Dependency d : from.getDirectDependenciesFromSelf()) {
            JavaClass t = d.getTargetClass();
            if (t.getPackageName().startsWith("io.propensitykit.") && !t.equals(from)) {
                targets.add(t);
            }
        }
        return targets;
    }

    /** The shared pieces sit below everything else. */
    static final ArchRule INTERNAL_AT_THE_BOTTOM = noClasses().that().resideInAPackage("io.propensitykit.internal..")
            .should().dependOnClassesThat().resideOutsideOfPackages("io.propensitykit.internal..", "java..",
                    "org.apache.spark..", "scala..", "tech.tablesaw..")
            .because("internal holds the checks and edges every package shares, so it depends on none of them");

    /** MLlib's models are what {@code kit bench} compares the kit with, not part of the kit. */
    static final ArchRule LIBRARY_WITHOUT_MLLIB_MODELS = noClasses().that().resideInAPackage("io.propensitykit..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark.ml.classification..",
                    "org.apache.spark.ml.regression..", "org.apache.spark.ml.feature..", "org.apache.spark.ml.tuning..",
                    "org.apache.spark.mllib..")
            .because("the library meets MLlib only through its Transformer API (PropensityScorer); the MLlib models"
                    + " that kit bench measures against live in the bench module, off the library's jar");

    /** The commands are the top floor: the library under them is what notes and jobs call. */
    static final ArchRule LIBRARY_WITHOUT_COMMANDS = noClasses().that().resideInAPackage("io.propensitykit..")
            .and().resideOutsideOfPackage("io.propensitykit.cli..")
            .should().dependOnClassesThat().resideInAPackage("io.propensitykit.cli..")
            .orShould().dependOnClassesThat().resideInAPackage("picocli..")
            .because("kit score, drift and generate are users of the library like a note is; a library class that"
                    + " knew them would tell a notebook user about flags they do not have");

    /** Every package of the kit sits on a floor of its own. */
    static final ArchRule NO_PACKAGE_CYCLES = slices().matching("io.propensitykit.(*)..").should().beFreeOfCycles()
            .because("a cycle makes two packages one: neither can be read, tested or changed without the other,"
                    + " and the arrow back up is where the next one grows");

    @Test
    void noLibraryPackageDependsOnTheCommands() {
        LIBRARY_WITHOUT_COMMANDS.check(KIT);
    }

    @Test
    void thePackagesFormNoCycle() {
        NO_PACKAGE_CYCLES.check(KIT);
    }

    @Test
    void theModelPackageNeverDependsOnSpark() {
        MODEL_WITHOUT_SPARK.check(KIT);
    }

    @Test
    void metricsAndCausalNeverDependOnPlot() {
        NUMBERS_WITHOUT_PICTURES.check(KIT);
    }

    @Test
    void nothingInTheKitDependsOnTheRunner() {
        KIT_WITHOUT_RUNNER.check(KIT);
    }

    @Test
    void plotDrawsResultsOnly() {
        PLOT_ONLY_ON_RESULTS.check(KIT);
    }

    @Test
    void plotDrawsResultsComputedWithoutTheSparkFrontEnd() {
        PLOT_BELOW_WHAT_IT_DRAWS.check(KIT);
    }

    @Test
    void eachPlotClassDrawsOnePackagesResults() {
        PLOT_FAMILIES.check(KIT);
    }

    @Test
    void internalDependsOnNoOtherPackageOfTheKit() {
        INTERNAL_AT_THE_BOTTOM.check(KIT);
    }

    @Test
    void theLibraryBuildsNoMllibModel() {
        LIBRARY_WITHOUT_MLLIB_MODELS.check(KIT);
    }

    @Test
    void eachRuleFailsOnAPlantedViolationAndSaysTheRule() {
        JavaClasses planted = new ClassFileImporter().importPackages("io.propensitykit.model.planted",
                "io.propensitykit.causal.planted", "io.propensitykit.data.planted",
                "io.propensitykit.notebook.planted", "io.propensitykit.plot.planted",
                "io.propensitykit.internal.planted", "io.propensitykit.spark.planted",
                "io.propensitykit.explain.planted");
        for (ArchRule rule : new ArchRule[] {MODEL_WITHOUT_SPARK, NUMBERS_WITHOUT_PICTURES, KIT_WITHOUT_RUNNER,
            PLOT_ONLY_ON_RESULTS, INTERNAL_AT_THE_BOTTOM, LIBRARY_WITHOUT_MLLIB_MODELS, LIBRARY_WITHOUT_COMMANDS,
            NO_PACKAGE_CYCLES, PLOT_BELOW_WHAT_IT_DRAWS, PLOT_FAMILIES}) {
            AssertionError failure = assertThrows(AssertionError.class, () -> rule.check(planted), rule.getDescription());
            assertTrue(failure.getMessage().contains("because"), failure.getMessage());
        }
    }
}
