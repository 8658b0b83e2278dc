package io.pivotplane.request.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.nullValue;

import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.LocalIssuerResource;
import io.pivotplane.devstack.testing.TestTokens;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.AddonsInstalled;
import io.pivotplane.events.AgentVersionReported;
import io.pivotplane.events.AgentVersions;
import io.pivotplane.events.ClusterChangeRequested;
import io.pivotplane.events.ClusterChanged;
import io.pivotplane.events.ProfileChanged;
import io.pivotplane.events.Topics;
import io.pivotplane.events.model.WorkerPool;
import io.pivotplane.request.ApiCallers;
import io.pivotplane.request.ClusterRequests;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Changes to running clusters through {@code PATCH /api/v1/clusters/{id}}: validated as a request is, stored as the
 * next generation of the spec, published for the cluster's agent, and ended by the plane's {@code ClusterChanged}.
 */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class, initArgs = @ResourceArg(
        name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "request-service"))
@WithTestResource(LocalIssuerResource.class)
class ClusterChangeTest {

    private static final String MERGE_PATCH = ClusterResource.MERGE_PATCH_JSON;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @BeforeEach
    void noDefaultCaller() {
        RestAssured.requestSpecification = null;
    }

    private static RequestSpecification admin() {
        return given().spec(ApiCallers.platformAdmin());
    }

    @Test
    void aRunningClusterIsScaledAndUpgradedAsItsNextGenerationAndTheChangeEndsWithTheAgentsAnswer() {
        String id = runningCluster("scaled");
        admin().contentType(MERGE_PATCH).body(Map.of("kubernetesVersion", "v1.31.2", "workerPools", List.of(
                        Map.of("name", "default", "replicas", 5))))
                .patch(ClusterTimelines.CLUSTERS + "/" + id).then().statusCode(202)
                .body("kubernetesVersion", equalTo("v1.31.2"))
                .body("spec.workerPools[0].replicas", equalTo(5))
                .body("spec.workerPools[0].machine.instanceType", equalTo("n2-standard-4"))
                .body("change.generation", equalTo(1))
                .body("change.state", equalTo("Requested"))
                .body("change.summary", equalTo("Kubernetes v1.30.5 → v1.31.2; pool default: 3 → 5 machines"));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(TopicReader.payloads(bootstrapServers,
                Topics.CLUSTER_CHANGE_REQUESTED, id)).singleElement().satisfies(event -> {
                    ClusterChangeRequested requested = (ClusterChangeRequested) event;
                    assertThat(requested.generation()).isEqualTo(1);
                    assertThat(requested.spec().kubernetesVersion()).isEqualTo("v1.31.2");
                    assertThat(requested.spec().workerPools()).extracting(WorkerPool::replicas).containsExactly(5);
                    assertThat(requested.spec().profile().addons()).extracting(a -> a.name()).containsExactly("calico");
                }));

        // a late answer to another generation changes nothing
        ClusterTimelines.publish(bootstrapServers, new ClusterChanged(id, 0, ClusterChanged.Outcome.FAILED, "old",
                Instant.now()));
        ClusterTimelines.publish(bootstrapServers, new ClusterChanged(id, 1, ClusterChanged.Outcome.APPLIED, null,
                Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> admin().get(ClusterTimelines.CLUSTERS + "/" + id)
                .then().body("change.state", equalTo("Applied")).body("change.message", nullValue())
                .body("change.completedAt", org.hamcrest.Matchers.notNullValue()));
    }

    @Test
    void aChangeThatIsNotOneIsRefusedNamingTheFieldAndNothingIsPublished() {
        String id = runningCluster("refused");
        String cluster = ClusterTimelines.CLUSTERS + "/" + id;
        admin().contentType(MERGE_PATCH).body(Map.of("kubernetesVersion", "v1.32.0", "name", "other"))
                .patch(cluster).then().statusCode(400)
                .body("errors.field", hasItem("name"));
        admin().contentType(MERGE_PATCH).body(Map.of("kubernetesVersion", "v1.32.0")).patch(cluster).then()
                .statusCode(400).body("errors[0].field", equalTo("kubernetesVersion"))
                .body("errors[0].message", containsString("one minor version at a time"));
        admin().contentType(MERGE_PATCH).body(Map.of("controlPlane", Map.of("replicas", 4))).patch(cluster).then()
                .statusCode(400).body("errors[0].field", equalTo("controlPlane.replicas"));
        admin().contentType(MERGE_PATCH).body("[1]").patch(cluster).then().statusCode(400);
        given().spec(ApiCallers.bearer(TestTokens.of("team-a", "viewer"))).contentType(MERGE_PATCH)
                .body(Map.of("workerPools", List.of())).patch(cluster).then().statusCode(403);

        admin().get(cluster).then().body("change", nullValue()).body("kubernetesVersion", equalTo("v1.30.5"));
        assertThat(TopicReader.payloads(bootstrapServers, Topics.CLUSTER_CHANGE_REQUESTED, id)).isEmpty();
    }

    @Test
    void aClusterThatIsNotRunningYetIsNotChanged() {
        String name = "early-" + UUID.randomUUID().toString().substring(0, 8);
        String id = admin().contentType(ContentType.JSON).body(ClusterRequests.vsphere(name))
                .post(ClusterTimelines.CLUSTERS).then().statusCode(201).extract().path("id");
        admin().contentType(MERGE_PATCH).body(Map.of("workerPools", List.of()))
                .patch(ClusterTimelines.CLUSTERS + "/" + id).then().statusCode(409)
                .body("detail", containsString("once it runs"));
    }

    @Test
    void aPausedClusterHoldsItsChangesAndSendsTheNewestOfEachKindWhenResumed() {
        String id = runningCluster("paused");
        String cluster = ClusterTimelines.CLUSTERS + "/" + id;
        given().spec(ApiCallers.bearer(TestTokens.of("team-a", "viewer"))).contentType(ContentType.JSON)
                .body(Map.of()).post(cluster + "/pause").then().statusCode(403);
        admin().contentType(ContentType.JSON).body(Map.of("reason", "x".repeat(1025))).post(cluster + "/pause")
                .then().statusCode(400).body("errors[0].field", equalTo("reason"));
        admin().contentType(ContentType.JSON).body(Map.of("reason", "storage maintenance")).post(cluster + "/pause")
                .then().statusCode(200).body("paused.reason", equalTo("storage maintenance"))
                .body("paused.since", org.hamcrest.Matchers.notNullValue());

        admin().contentType(MERGE_PATCH).body(Map.of("workerPools", List.of(Map.of("name", "default", "replicas", 4))))
                .patch(cluster).then().statusCode(202).body("change.state", equalTo("Held"))
                .body("change.generation", equalTo(1));
        admin().contentType(MERGE_PATCH).body(Map.of("kubernetesVersion", "v1.31.0")).patch(cluster).then()
                .statusCode(202).body("change.state", equalTo("Held")).body("change.generation", equalTo(2))
                .body("change.summary", equalTo("pool default: 3 → 4 machines; Kubernetes v1.30.5 → v1.31.0"));
        Object profile = ClusterRequests.gcp("any").get("profile");
        admin().contentType(ContentType.JSON).body(profile).put(cluster + "/profile").then().statusCode(202);

        admin().post(cluster + "/resume").then().statusCode(200).body("paused", nullValue())
                .body("change.state", equalTo("Requested"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(TopicReader.payloads(bootstrapServers, Topics.CLUSTER_CHANGE_REQUESTED, id)).singleElement()
                    .satisfies(event -> {
                        ClusterChangeRequested requested = (ClusterChangeRequested) event;
                        assertThat(requested.generation()).isEqualTo(2);
                        assertThat(requested.spec().kubernetesVersion()).isEqualTo("v1.31.0");
                        assertThat(requested.spec().workerPools()).extracting(WorkerPool::replicas).containsExactly(4);
                    });
            assertThat(TopicReader.payloads(bootstrapServers, Topics.CLUSTER_PROFILE_CHANGED, id)).singleElement()
                    .satisfies(event -> assertThat(((ProfileChanged) event).generation()).isEqualTo(1));
        });
        // resuming again sends nothing more
        admin().post(cluster + "/resume").then().statusCode(200);
        ClusterTimelines.publish(bootstrapServers, new ClusterChanged(id, 2, ClusterChanged.Outcome.APPLIED, null,
                Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> admin().get(cluster).then()
                .body("change.state", equalTo("Applied"))
                .body("changes.generation", equalTo(List.of(2, 1)))
                .body("changes.state", equalTo(List.of("Applied", "Superseded")))
                .body("changes[0].summary", equalTo("pool default: 3 → 4 machines; Kubernetes v1.30.5 → v1.31.0"))
                .body("changes[0].completedAt", org.hamcrest.Matchers.notNullValue()));
        assertThat(TopicReader.payloads(bootstrapServers, Topics.CLUSTER_CHANGE_REQUESTED, id)).hasSize(1);
        admin().get(ClusterTimelines.CLUSTERS).then().body("items[0].changes", nullValue());
    }

    @Test
    void thePlaneSaysWhatItDrivesAndEachClusterShowsTheVersionOfItsAgent() {
        given().spec(ApiCallers.bearer(TestTokens.of("team-a", "viewer"))).get("/api/v1/versions").then()
                .statusCode(200)
                .body("plane", equalTo(AgentVersions.current()))
                .body("agents", equalTo(AgentVersions.supportedRange()))
                .body("clusterApi", equalTo("v1.9"))
                .body("kubernetes.gcp", equalTo(List.of("v1.28", "v1.29", "v1.30", "v1.31", "v1.32")))
                .body("kubernetes.aws", equalTo(List.of("v1.30")));

        String id = runningCluster("agent");
        String cluster = ClusterTimelines.CLUSTERS + "/" + id;
        admin().get(cluster).then().body("agent", nullValue());
        Instant first = Instant.now();
        ClusterTimelines.publish(bootstrapServers, new AgentVersionReported(id, null, false, "0.0.x to 0.1.x", first));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> admin().get(cluster).then()
                .body("agent.supported", equalTo(false)).body("agent.version", nullValue()));
        ClusterTimelines.publish(bootstrapServers, new AgentVersionReported(id, "0.1.3", true, "0.0.x to 0.1.x",
                first.plusSeconds(60)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> admin().get(cluster).then()
                .body("agent.version", equalTo("0.1.3")).body("agent.supported", equalTo(true)));
    }

    /** A GCP cluster: pivotplane installs no cloud-controller-manager there, whose releases bound the versions. */
    private String runningCluster(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String id = admin().contentType(ContentType.JSON).body(ClusterRequests.gcp(name))
                .post(ClusterTimelines.CLUSTERS).then().statusCode(201).extract().path("id");
        ClusterTimelines.publish(bootstrapServers, new AddonsInstalled(id, List.of(), Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> admin().get(ClusterTimelines.CLUSTERS + "/" + id)
                .then().body("stage", equalTo("AddonsInstalled")));
        return id;
    }
}
