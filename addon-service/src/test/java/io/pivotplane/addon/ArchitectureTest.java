package io.pivotplane.addon;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "io.pivotplane.addon", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainDependsOnNoFrameworkOrClient = noClasses()
            .that().resideInAPackage("..addon.domain..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "org.apache.kafka..", "io.fabric8..", "io.pivotplane.events.kafka..", "io.quarkus..",
                    "io.smallrye..", "io.vertx..", "java.sql..", "io.pivotplane.kit..",
                    "io.pivotplane.addon.persistence..", "io.pivotplane.addon.messaging..", "io.pivotplane.addon.k8s..");
}
