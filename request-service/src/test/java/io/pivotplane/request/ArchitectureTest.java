package io.pivotplane.request;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

@AnalyzeClasses(packages = "io.pivotplane.request", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainDependsOnNoFrameworkOrClient = noClasses()
            .that().resideInAPackage("..request.domain..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "org.apache.kafka..", "io.fabric8..", "io.pivotplane.events.kafka..", "io.quarkus..",
                    "io.smallrye..", "io.vertx..", "jakarta.persistence..", "jakarta.ws.rs..", "org.hibernate..",
                    "io.pivotplane.request.rest..", "io.pivotplane.request.persistence..",
                    "io.pivotplane.request.messaging..");

    @ArchTest
    static final ArchRule restDoesNotTouchPersistenceOrKafka = noClasses()
            .that().resideInAPackage("..request.rest..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "..request.persistence..");
}
