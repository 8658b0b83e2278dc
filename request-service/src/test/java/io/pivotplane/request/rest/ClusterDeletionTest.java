package io.pivotplane.request.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.LocalIssuerResource;
import io.pivotplane.devstack.testing.TestTokens;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.AddonsInstalled;
import io.pivotplane.events.ClusterDeleted;
import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.Pivoted;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.events.Stage;
import io.pivotplane.events.Topics;
import io.pivotplane.events.model.AddonResult;
import io.pivotplane.events.model.ObjectReference;
import io.pivotplane.request.ApiCallers;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DELETE asks for a deprovisioning once; the cluster goes Deleting → Deleted through events; the view follows it. */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class, initArgs = @ResourceArg(
        name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "request-service"))
@WithTestResource(LocalIssuerResource.class)
class ClusterDeletionTest {

    @BeforeEach
    void authenticate() {
        RestAssured.requestSpecification = ApiCallers.platformAdmin();
    }

    private static final String CLUSTERS = ClusterTimelines.CLUSTERS;
    private static final ObjectReference CLUSTER = new ObjectReference("cluster.x-k8s.io/v1beta1", "Cluster", "team-a", "x");

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void deletePublishesClusterDeletionRequestedOnceAndTheClusterEndsDeleted() {
        String id = create();
        publish(new SpecsCreated(id, "team-a", List.of(CLUSTER), Instant.now()));
        awaitStage(id, "SpecsCreated");

        given().delete(CLUSTERS + "/" + id).then().statusCode(202).body("id", equalTo(id));
        given().delete(CLUSTERS + "/" + id).then().statusCode(202);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deletionRequests(id)).singleElement()
                .satisfies(request -> assertThat(request.namespace()).isEqualTo("team-a")));
        awaitStage(id, "Deleting");
        publish(new ClusterDeleted(id, ClusterDeleted.MANAGEMENT, List.of(CLUSTER), Instant.now()));

        awaitStage(id, "Deleted");
        given().get(CLUSTERS + "/" + id).then()
                .body("timeline.stage", equalTo(List.of("Requested", "SpecsCreated", "Deleting", "Deleted")))
                .body("placement.location", equalTo("deleted"))
                .body("placement.objects[0].kind", equalTo("Cluster"));
        assertThat(deletionRequests(id)).hasSize(1);
    }

    @Test
    void anAlreadyDeletedClusterIsGoneAndAnUnknownOneNotFoundBothAsProblems() {
        String id = create();
        given().delete(CLUSTERS + "/" + id).then().statusCode(202);
        publish(new ClusterDeleted(id, ClusterDeleted.MANAGEMENT, List.of(), Instant.now()));
        awaitStage(id, "Deleted");

        given().delete(CLUSTERS + "/" + id).then().statusCode(410).contentType("application/problem+json")
                .body("type", equalTo("urn:pivotplane:problem:cluster-deleted"));
        given().delete(CLUSTERS + "/" + UUID.randomUUID()).then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo("urn:pivotplane:problem:not-found"));
        given().delete(CLUSTERS + "/not-a-uuid").then().statusCode(404);
    }

    @Test
    void aFailedClusterCanBeDeletedAndAFailureOfAnotherStageDoesNotStopTheDeletion() {
        String id = create();
        publish(new ProvisioningFailed(id, Stage.SPECS_CREATED, "UnsupportedInfrastructure", "no", Instant.now()));
        awaitStage(id, "Failed");

        given().delete(CLUSTERS + "/" + id).then().statusCode(202);
        awaitStage(id, "Deleting");
        publish(new ProvisioningFailed(id, Stage.CONTROL_PLANE_READY, "ControlPlaneTimeout", "late", Instant.now()));
        publish(new ClusterDeleted(id, ClusterDeleted.MANAGEMENT, List.of(), Instant.now()));

        awaitStage(id, "Deleted");
    }

    @Test
    void aFailedDeletionCanBeAskedForAgain() {
        String id = create();
        given().delete(CLUSTERS + "/" + id).then().statusCode(202);
        awaitStage(id, "Deleting");
        publish(new ProvisioningFailed(id, Stage.DELETING, "DeletionIncomplete", "the workers stayed", Instant.now()));
        awaitStage(id, "Failed");

        given().delete(CLUSTERS + "/" + id).then().statusCode(202);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deletionRequests(id)).hasSize(2));
        awaitStage(id, "Deleting");
    }

    @Test
    void aForcedDeletionIsAProjectAdminsAskedAgainWhileADeletionRunsAndNothingElseIsTakenForIt() {
        String id = create();
        given().delete(CLUSTERS + "/" + id).then().statusCode(202);
        awaitStage(id, "Deleting");

        // the callers of the project alone, not this class's platform admin
        RestAssured.requestSpecification = null;
        given().spec(ApiCallers.bearer(TestTokens.of("team-a", "editor"))).delete(CLUSTERS + "/" + id + "?force=true")
                .then().statusCode(403);
        given().spec(ApiCallers.bearer(TestTokens.of("team-a", "admin"))).delete(CLUSTERS + "/" + id + "?force=yes")
                .then().statusCode(400).body("errors[0].field", equalTo("force"));
        given().spec(ApiCallers.bearer(TestTokens.of("team-a", "admin"))).delete(CLUSTERS + "/" + id + "?force=true")
                .then().statusCode(202);
        authenticate();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deletionRequests(id))
                .extracting(ClusterDeletionRequested::force).containsExactly(false, true));
        publish(new ClusterDeleted(id, ClusterDeleted.FORCED, List.of(), Instant.now()));
        awaitStage(id, "Deleted");
        given().get(CLUSTERS + "/" + id).then().body("placement.location", equalTo("deleted"))
                .body("placement.deletedFrom", equalTo("forced"));
    }

    @Test
    void theViewShowsWhereTheObjectsAreAndHowTheAddonsWent() {
        String id = create();
        publish(new SpecsCreated(id, "team-a", List.of(CLUSTER), Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get(CLUSTERS + "/" + id).then()
                .body("placement.location", equalTo("management"))
                .body("addons[0].name", equalTo("calico"))
                .body("addons[0].state", equalTo("Pending")));

        publish(new Pivoted(id, "https://10.0.0.10:6443", List.of(CLUSTER), Instant.now()));
        publish(new AddonsInstalled(id, List.of(new AddonResult("calico", AddonResult.State.INSTALLED, "applied")),
                Instant.now()));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get(CLUSTERS + "/" + id).then()
                .body("placement.location", equalTo("workload"))
                .body("placement.apiEndpoint", equalTo("https://10.0.0.10:6443"))
                .body("addons[0].state", equalTo("Installed"))
                .body("addons[0].message", equalTo("applied")));
    }

    private List<ClusterDeletionRequested> deletionRequests(String id) {
        return TopicReader.readAll(bootstrapServers, Topics.CLUSTER_DELETION_REQUESTED).stream()
                .filter(record -> id.equals(record.key()))
                .map(record -> (ClusterDeletionRequested) record.value().payload())
                .toList();
    }

    private static String create() {
        return ClusterTimelines.create("deletion");
    }

    private static void awaitStage(String id, String stage) {
        ClusterTimelines.awaitStage(id, stage);
    }

    private void publish(ClusterEvent payload) {
        ClusterTimelines.publish(bootstrapServers, payload);
    }
}
