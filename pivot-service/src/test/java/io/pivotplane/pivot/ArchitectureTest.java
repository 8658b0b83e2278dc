package io.pivotplane.pivot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "io.pivotplane.pivot", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainDependsOnNoFrameworkOrClient = noClasses()
            .that().resideInAPackage("..pivot.domain..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "org.apache.kafka..", "io.fabric8..", "io.pivotplane.events.kafka..", "io.quarkus..",
                    "io.smallrye..", "io.vertx..", "java.sql..", "io.pivotplane.kit..",
                    "io.pivotplane.pivot.persistence..", "io.pivotplane.pivot.messaging..", "io.pivotplane.pivot.k8s..");
}
