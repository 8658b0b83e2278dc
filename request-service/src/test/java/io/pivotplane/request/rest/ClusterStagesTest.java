package io.pivotplane.request.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.LocalIssuerResource;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.ControlPlaneReady;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.EventType;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.events.Stage;
import io.pivotplane.events.model.SecretReference;
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

/** request-service keeps each cluster's stage and timeline from the pipeline's events, and streams them. */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class, initArgs = @ResourceArg(
        name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "request-service"))
@WithTestResource(LocalIssuerResource.class)
class ClusterStagesTest {

    @BeforeEach
    void authenticate() {
        RestAssured.requestSpecification = ApiCallers.platformAdmin();
    }

    private static final String CLUSTERS = ClusterTimelines.CLUSTERS;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void theStageOnlyMovesForwardAndTheTimelineIsInTimeOrderWhateverOrderTheTopicsDeliverIn() {
        String id = create();
        Instant specsCreatedAt = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);

        publish(new ControlPlaneReady(id, "https://10.0.0.10:6443", new SecretReference("team-a", "x-kubeconfig",
                "value"), Instant.now()));
        awaitStage(id, "ControlPlaneReady");
        SpecsCreated late = new SpecsCreated(id, "team-a", List.of(), specsCreatedAt);
        io.pivotplane.devstack.testing.TopicWriter.send(bootstrapServers, new EventEnvelope<>(
                java.util.UUID.randomUUID().toString(), EventType.of(late), java.net.URI.create("/pivotplane/test"), id,
                specsCreatedAt, "corr", late));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get(CLUSTERS + "/" + id).then()
                .statusCode(200)
                .body("stage", equalTo("ControlPlaneReady"))
                .body("timeline.stage", equalTo(List.of("Requested", "SpecsCreated", "ControlPlaneReady"))));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).containsPattern(
                "pivotplane_cluster_stage_latency_seconds_count\\{[^}]*provider=\"vsphere\"[^}]*stage=\"ControlPlaneReady\"")
                .containsPattern("pivotplane_events_consumed_total\\{[^}]*outcome=\"handled\"[^}]*"
                        + "type=\"io.pivotplane.cluster.control-plane-ready.v1\"");
    }

    @Test
    void aFailureIsFinalAndShownAsTheLastErrorAndTheStreamEndsWithIt() {
        String id = create();
        publish(new SpecsCreated(id, "team-a", List.of(), Instant.now()));
        awaitStage(id, "SpecsCreated");

        publish(new ProvisioningFailed(id, Stage.CONTROL_PLANE_READY, "ControlPlaneTimeout", "CP-A never came up",
                Instant.now()));

        awaitStage(id, "Failed");
        given().get(CLUSTERS + "/" + id).then()
                .body("lastError.stage", equalTo("ControlPlaneReady"))
                .body("lastError.reason", equalTo("ControlPlaneTimeout"))
                .body("lastError.message", equalTo("CP-A never came up"));
        String stream = given().accept("text/event-stream").get(CLUSTERS + "/" + id + "/events").then()
                .statusCode(200).extract().asString();
        assertThat(stream).containsSubsequence("\"stage\":\"Requested\"", "\"stage\":\"SpecsCreated\"",
                "\"stage\":\"Failed\"", "\"reason\":\"ControlPlaneTimeout\"");
    }

    @Test
    void theStreamOfAnUnknownClusterIsNotFound() {
        given().accept("text/event-stream").get(CLUSTERS + "/" + UUID.randomUUID() + "/events").then()
                .statusCode(404);
    }

    private static String create() {
        return ClusterTimelines.create("stages");
    }

    private static void awaitStage(String id, String stage) {
        ClusterTimelines.awaitStage(id, stage);
    }

    private void publish(ClusterEvent payload) {
        ClusterTimelines.publish(bootstrapServers, payload);
    }
}
