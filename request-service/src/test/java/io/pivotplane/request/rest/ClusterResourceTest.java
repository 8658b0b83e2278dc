package io.pivotplane.request.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import io.agroal.api.AgroalDataSource;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.LocalIssuerResource;
import io.pivotplane.devstack.testing.TestTokens;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.EventType;
import io.pivotplane.events.Topics;
import io.pivotplane.request.ApiCallers;
import io.pivotplane.request.ClusterRequests;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** request-service against a real Kafka broker and a real PostgreSQL. */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class, initArgs = @ResourceArg(
        name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "request-service"))
@WithTestResource(LocalIssuerResource.class)
class ClusterResourceTest {

    @BeforeEach
    void authenticate() {
        RestAssured.requestSpecification = ApiCallers.platformAdmin();
    }

    private static final String CLUSTERS = "/api/v1/clusters";

    @io.quarkus.test.common.http.TestHTTPResource(CLUSTERS)
    java.net.URI clusters;

    @Inject
    AgroalDataSource dataSource;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aValidRequestIsCreatedStoredAndPublishedOnce() {
        String name = uniqueName();

        var response = post(ClusterRequests.vsphere(name))
                .statusCode(201)
                .contentType(ContentType.JSON)
                .body("name", equalTo(name))
                .body("project", equalTo("team-a"))
                .body("stage", equalTo("Requested"))
                .body("spec.controlPlane.replicas", equalTo(3))
                .extract();
        String id = response.path("id");
        assertThat(response.header("Location")).endsWith(CLUSTERS + "/" + id);

        assertThat(count("SELECT count(*) FROM cluster WHERE id = '" + id + "'")).isEqualTo(1);
        List<EventEnvelope<?>> published = awaitPublished(id);
        assertThat(published).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(EventType.CLUSTER_REQUESTED_V1);
            assertThat(event.subject()).isEqualTo(id);
            ClusterRequested requested = (ClusterRequested) event.payload();
            assertThat(requested.spec().name()).isEqualTo(name);
            assertThat(requested.spec().infrastructure().credentialsRef()).isEqualTo("vsphere-creds");
        });
    }

    @Test
    void theLocationHeaderLeadsToTheCluster() {
        String location = post(ClusterRequests.aws(uniqueName())).statusCode(201).extract().header("Location");

        given().get(location).then().statusCode(200).body("stage", equalTo("Requested")).body("provider", equalTo("aws"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"aws", "gcp", "azure", "vsphere", "maas"})
    void everyProviderIsAccepted(String provider) {
        post(ClusterRequests.forProvider(provider, uniqueName())).statusCode(201).body("provider", equalTo(provider));
    }

    @Test
    void anUnknownProviderIsAProblemNamingTheField() {
        Map<String, Object> body = ClusterRequests.vsphere(uniqueName());
        ClusterRequests.child(body, "infrastructure").put("provider", "openstack");

        assertRefused(body, 400).body("errors.field", hasItem("infrastructure.provider"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Edge-42", "edge_42", "-edge"})
    void aNameThatIsNotADnsLabelIsAProblem(String name) {
        assertRefused(ClusterRequests.vsphere(name), 400).body("errors.field", hasItem("name"));
    }

    @Test
    void aNameLongerThan63CharactersIsAProblem() {
        assertRefused(ClusterRequests.vsphere("e".repeat(64)), 400).body("errors.field", hasItem("name"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 0, -3})
    void evenOrNonPositiveControlPlaneReplicasAreAProblem(int replicas) {
        Map<String, Object> body = ClusterRequests.vsphere(uniqueName());
        ClusterRequests.child(body, "controlPlane").put("replicas", replicas);

        assertRefused(body, 400).body("errors.field", hasItem("controlPlane.replicas"));
    }

    @Test
    void negativeWorkerReplicasAreAProblem() {
        Map<String, Object> body = ClusterRequests.vsphere(uniqueName());
        body.put("workerPools", List.of(Map.of("name", "default", "replicas", -1,
                "machine", Map.of("numCPUs", 2, "memoryMiB", 4096, "diskGiB", 20))));

        assertRefused(body, 400).body("errors.field", hasItem("workerPools[0].replicas"));
    }

    @Test
    void aMalformedKubernetesVersionIsAProblem() {
        Map<String, Object> body = ClusterRequests.vsphere(uniqueName());
        body.put("kubernetesVersion", "1.30.5");

        assertRefused(body, 400).body("errors.field", hasItem("kubernetesVersion"));
    }

    @Test
    void whatAProvidersWebhookWouldRefuseIsAProblemAtTheDoor() {
        Map<String, Object> azure = ClusterRequests.azure("a" + "z".repeat(44));
        ClusterRequests.child(azure, "controlPlane", "machine").put("osDiskGiB", 4096);

        assertRefused(azure, 400)
                .body("errors", hasSize(2))
                .body("errors.field", hasItems("name", "controlPlane.machine.osDiskGiB"));

        Map<String, Object> aws = ClusterRequests.aws(uniqueName());
        ClusterRequests.child(aws, "controlPlane", "machine").put("rootVolumeGiB", 4);
        assertRefused(aws, 400).body("errors.field", hasItem("controlPlane.machine.rootVolumeGiB"));
    }

    @Test
    void missingProviderParametersAreEachNamed() {
        Map<String, Object> body = ClusterRequests.vsphere(uniqueName());
        ClusterRequests.child(body, "infrastructure", "parameters").remove("datacenter");
        ClusterRequests.child(body, "infrastructure", "parameters").remove("template");

        assertRefused(body, 400)
                .body("errors", hasSize(2))
                .body("errors.field", hasItems("infrastructure.parameters.datacenter",
                        "infrastructure.parameters.template"));
    }

    @Test
    void aBodyThatIsNotJsonIsAProblem() {
        assertRefused("{\"name\": \"edge-42\", ", ContentType.JSON.toString(), 400)
                .body("type", equalTo("urn:pivotplane:problem:malformed-body"));
    }

    @Test
    void anEmptyBodyIsAProblem() {
        assertRefused("", ContentType.JSON.toString(), 400);
    }

    @Test
    void aFieldOfTheWrongTypeIsNamed() {
        Map<String, Object> body = ClusterRequests.vsphere(uniqueName());
        ClusterRequests.child(body, "controlPlane").put("replicas", "three");

        assertRefused(body, 400)
                .body("errors.field", hasItem("controlPlane.replicas"))
                .body("errors.message", hasItem("must be a whole number"));
    }

    @Test
    void aFractionalReplicaCountIsRefusedRatherThanRounded() {
        Map<String, Object> body = ClusterRequests.vsphere(uniqueName());
        ClusterRequests.child(body, "controlPlane").put("replicas", 2.5);

        assertRefused(body, 400)
                .body("errors.field", hasItem("controlPlane.replicas"))
                .body("errors.message", hasItem("must be a whole number"));
    }

    @Test
    void aFieldGivenTwiceIsRefusedRatherThanTheLastOneWinning() {
        String name = uniqueName();
        String body = json(ClusterRequests.vsphere(name))
                .replaceFirst("\\{", "{\"name\": \"" + name + "-other\", ");

        assertRefused(body, ContentType.JSON.toString(), 400)
                .body("type", equalTo("urn:pivotplane:problem:malformed-body"))
                .body("detail", containsString("Duplicate field 'name'"));
    }

    @Test
    void aBodyWithoutContentTypeIsUnsupportedMediaType() throws Exception {
        String body = json(ClusterRequests.vsphere(uniqueName()));
        long before = count("SELECT count(*) FROM cluster");
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(clusters)
                        .header("Authorization", "Bearer " + TestTokens.platformAdmin())
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("application/problem+json"));
        assertThat(count("SELECT count(*) FROM cluster")).isEqualTo(before);
    }

    @Test
    void aBodyOverOneMebibyteIsRefusedBeforeItIsReadAndNothingIsStored() {
        Map<String, Object> body = ClusterRequests.vsphere(uniqueName());
        body.put("padding", "x".repeat(3 * 512 * 1024));

        assertRefused(body, 413).body("detail", containsString("at most 1048576"));
    }

    @Test
    void aProfileTooLargeForItsEventsIsAProblemNamingIt() {
        Map<String, Object> body = ClusterRequests.vsphere(uniqueName());
        @SuppressWarnings("unchecked")
        List<Object> addons = new java.util.ArrayList<>((List<Object>) ClusterRequests.child(body, "profile")
                .get("addons"));
        String manifest = "# " + "x".repeat(400 * 1024) + "\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: big\n";
        addons.add(Map.of("name", "big-1", "manifests", List.of(manifest)));
        addons.add(Map.of("name", "big-2", "manifests", List.of(manifest)));
        body.put("profile", Map.of("name", "default", "addons", addons));

        assertRefused(body, 400).body("errors.field", hasItem("profile.addons"));
    }

    @Test
    void anUnknownFieldIsNamedRatherThanIgnored() {
        Map<String, Object> body = ClusterRequests.vsphere(uniqueName());
        body.put("workerPool", List.of());

        assertRefused(body, 400).body("errors.field", hasItem("workerPool"));
    }

    @Test
    void aWrongContentTypeIsUnsupportedMediaType() {
        assertNothingStoredOrPublished(() -> given().contentType("application/yaml")
                .body("name: edge-42".getBytes(java.nio.charset.StandardCharsets.UTF_8)).post(CLUSTERS).then()
                .statusCode(415).contentType("application/problem+json").body("status", equalTo(415)));
    }

    @Test
    void aNameAlreadyUsedInTheProjectIsAConflictAndNothingMoreIsStored() {
        String name = uniqueName();
        post(ClusterRequests.vsphere(name)).statusCode(201);

        assertRefused(ClusterRequests.aws(name), 409)
                .body("type", equalTo("urn:pivotplane:problem:name-conflict"))
                .body("detail", containsString(name));
    }

    @Test
    void theSameNameInAnotherProjectIsFine() {
        String name = uniqueName();
        post(ClusterRequests.vsphere(name)).statusCode(201);
        Map<String, Object> other = ClusterRequests.vsphere(name);
        other.put("project", "team-b");

        post(other).statusCode(201);
    }

    @Test
    void aRetriedPostWithTheSameIdempotencyKeyReturnsTheFirstAnswer() {
        String key = UUID.randomUUID().toString();
        Map<String, Object> body = ClusterRequests.gcp(uniqueName());
        String firstId = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .post(CLUSTERS).then().statusCode(201).extract().path("id");

        String secondId = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(body)
                .post(CLUSTERS).then().statusCode(201)
                .header("Location", endsWith("/" + firstId))
                .extract().path("id");

        assertThat(secondId).isEqualTo(firstId);
        assertThat(count("SELECT count(*) FROM cluster WHERE name = '" + body.get("name") + "'")).isEqualTo(1);
        assertThat(awaitPublished(firstId)).hasSize(1);
    }

    @Test
    void anIdempotencyKeyReusedForADifferentRequestIsRefused() {
        String key = UUID.randomUUID().toString();
        given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(ClusterRequests.gcp(uniqueName()))
                .post(CLUSTERS).then().statusCode(201);

        given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(ClusterRequests.gcp(uniqueName()))
                .post(CLUSTERS).then().statusCode(422).contentType("application/problem+json");
    }

    @Test
    void anIdempotencyKeyLongerThan255CharactersIsAProblemNamingTheHeader() {
        assertNothingStoredOrPublished(() -> given().header("Idempotency-Key", "k".repeat(256))
                .contentType(ContentType.JSON).body(ClusterRequests.gcp(uniqueName())).post(CLUSTERS).then()
                .statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("Idempotency-Key")));
    }

    @Test
    void anIdempotencyKeyIsAProjectsOwn() {
        String key = UUID.randomUUID().toString();
        Map<String, Object> teamA = ClusterRequests.gcp(uniqueName());
        Map<String, Object> teamB = ClusterRequests.gcp(uniqueName());
        teamB.put("project", "team-b");

        String first = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(teamA)
                .post(CLUSTERS).then().statusCode(201).extract().path("id");
        String second = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body(teamB)
                .post(CLUSTERS).then().statusCode(201).extract().path("id");

        assertThat(second).isNotEqualTo(first);
    }

    @Test
    void anUnknownIdIsANotFoundProblem() {
        given().get(CLUSTERS + "/" + UUID.randomUUID()).then()
                .statusCode(404).contentType("application/problem+json")
                .body("status", equalTo(404)).body("type", equalTo("urn:pivotplane:problem:not-found"));
        given().get(CLUSTERS + "/not-a-uuid").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void clustersAreListedByProjectAPageAtATime() {
        String project = "paged-" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 5; i++) {
            Map<String, Object> body = ClusterRequests.aws("c" + i);
            body.put("project", project);
            post(body).statusCode(201);
        }

        given().queryParam("project", project).queryParam("page", 0).queryParam("size", 2).get(CLUSTERS).then()
                .statusCode(200)
                .body("items", hasSize(2))
                .body("items.name", equalTo(List.of("c4", "c3")))
                .body("totalItems", equalTo(5))
                .body("totalPages", equalTo(3));
        given().queryParam("project", project).queryParam("page", 2).queryParam("size", 2).get(CLUSTERS).then()
                .statusCode(200)
                .body("items.name", equalTo(List.of("c0")));
    }

    @Test
    void aBadPageIsAProblem() {
        given().queryParam("size", 1000).get(CLUSTERS).then()
                .statusCode(400).contentType("application/problem+json").body("errors.field", hasItem("size"));
        given().queryParam("page", "first").get(CLUSTERS).then()
                .statusCode(400).body("errors.field", hasItem("page"));
    }

    @Test
    void openApiHealthAndMetricsAreServed() {
        post(ClusterRequests.maas(uniqueName())).statusCode(201);
        Map<String, Object> bad = ClusterRequests.maas(uniqueName());
        bad.put("kubernetesVersion", "latest");
        post(bad).statusCode(400);

        given().accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/v1/clusters'.post", notNullValue());
        given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics)
                .containsPattern("pivotplane_cluster_requests_total\\{[^}]*outcome=\"created\"[^}]*provider=\"maas\"[^}]*} [1-9]")
                .containsPattern("pivotplane_cluster_requests_total\\{[^}]*outcome=\"invalid\"[^}]*provider=\"maas\"[^}]*} [1-9]");
    }

    private ValidatableResponse assertRefused(Map<String, Object> body, int status) {
        return assertNothingStoredOrPublished(() -> post(body).statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("title", notNullValue()));
    }

    private ValidatableResponse assertRefused(String body, String contentType, int status) {
        return assertNothingStoredOrPublished(() -> given().contentType(contentType).body(body).post(CLUSTERS).then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status)));
    }

    private ValidatableResponse assertNothingStoredOrPublished(java.util.function.Supplier<ValidatableResponse> call) {
        long clusters = count("SELECT count(*) FROM cluster");
        long events = count("SELECT count(*) FROM outbox_event");
        ValidatableResponse response = call.get();
        assertThat(count("SELECT count(*) FROM cluster")).as("clusters stored").isEqualTo(clusters);
        assertThat(count("SELECT count(*) FROM outbox_event")).as("events written").isEqualTo(events);
        return response;
    }

    private List<EventEnvelope<?>> awaitPublished(String clusterId) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
                count("SELECT count(*) FROM outbox_event WHERE record_key = '" + clusterId + "' AND published_at IS NOT NULL") > 0);
        return TopicReader.readAll(bootstrapServers, Topics.CLUSTER_REQUESTED).stream()
                .filter(r -> clusterId.equals(r.key()))
                .<EventEnvelope<?>>map(ConsumerRecord::value)
                .toList();
    }

    private static String json(Map<String, Object> body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ValidatableResponse post(Map<String, Object> body) {
        return given().contentType(ContentType.JSON).body(body).post(CLUSTERS).then();
    }

    private long count(String sql) {
        try (Connection c = dataSource.getConnection(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }

    private static String uniqueName() {
        return "c-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
