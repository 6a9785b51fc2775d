package io.propensitykit.arch;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.properties.HasName.AndFullName.Predicates.fullName;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.Map;

/**
 * Where the scoring path may keep state: in objects that own it (a model's runtime, a lease, a
 * task's iterator), never in a thread's locals or a class's static collections, which nothing
 * releases. The one exception is the registry of loaded models, {@code ModelRuntime.RUNTIMES};
 * {@code ModelRuntimeTest} shows that it lets go of what it holds.
 */
class ScoringStateTest {

    private static final String[] SCORING = {"io.propensitykit.model..", "io.propensitykit.spark.."};
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.propensitykit.model", "io.propensitykit.spark");

    @Test
    void noThreadLocals() {
        noFields().that().areDeclaredInClassesThat().resideInAnyPackage(SCORING)
                .should().haveRawType(assignableTo(ThreadLocal.class))
                .because("a thread's locals outlive the task and the model they were for")
                .check(CLASSES);
    }

    @Test
    void noStaticCollectionButTheModelRegistry() {
        noFields().that().areDeclaredInClassesThat().resideInAnyPackage(SCORING)
                .and().areStatic()
                .and(not(fullName("io.propensitykit.model.ModelRuntime.RUNTIMES")))
                .should().haveRawType(assignableTo(Map.class))
                .orShould().haveRawType(assignableTo(Collection.class))
                .because("the registry of loaded models is the one place a JVM keeps scoring state")
                .check(CLASSES);
    }
}
