package io.pivotplane.request.k8s;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.pivotplane.capi.ObjectMaps;
import io.pivotplane.capi.request.ClusterRequestCrd;
import io.pivotplane.capi.request.ClusterRequestDocument;
import io.pivotplane.devstack.infra.KubernetesApiServer;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.KubernetesApiResource;
import io.pivotplane.devstack.testing.LocalIssuerResource;
import io.pivotplane.devstack.testing.TestCredentials;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.devstack.testing.TopicWriter;
import io.pivotplane.events.AddonsInstalled;
import io.pivotplane.events.ClusterChangeRequested;
import io.pivotplane.events.ClusterDeleted;
import io.pivotplane.events.ClusterDeletionRequested;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.SpecsCreated;
import io.pivotplane.events.Topics;
import io.pivotplane.request.ApiCallers;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The declarative path against a Kubernetes API server with the ClusterRequest CRD, a real broker and PostgreSQL. */
@QuarkusTest
@TestProfile(ClusterRequestResourcesTest.Watching.class)
@WithTestResource(value = KafkaAndPostgresResource.class, initArgs = @ResourceArg(
        name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "request-service"))
@WithTestResource(LocalIssuerResource.class)
@WithTestResource(KubernetesApiResource.class)
class ClusterRequestResourcesTest {

    @BeforeEach
    void authenticate() {
        RestAssured.requestSpecification = ApiCallers.platformAdmin();
    }

    /** The example requests name the stored profile baseline 1.0.0: the platform team has stored it. */
    @BeforeEach
    void exampleProfileStored() throws IOException {
        given().spec(ApiCallers.platformAdmin()).contentType(ContentType.JSON)
                .body(ClusterRequestDocument.profileBody(Files.readString(examples().resolve("profiles/baseline-1.0.0.yaml"))))
                .post("/api/v1/profiles").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    static final String NAMESPACE = "team-declared";

    public static final class Watching implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pivotplane.cluster-requests.enabled", "true",
                    "pivotplane.cluster-requests.status-interval", "200ms");
        }
    }

    @InjectInfrastructure
    KubernetesApiServer management;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    /** A ClusterRequest goes into its project's namespace, which must exist, as on any API server. */
    @org.junit.jupiter.api.BeforeEach
    void projectNamespace() {
        TestCredentials.namespace(management.client(), NAMESPACE);
        // where the watching replica holds its lease, as deploy/ installs it
        TestCredentials.namespace(management.client(), "pivotplane");
    }

    @Test
    void aNewResourceIsRequestedLikeAPostItsStatusFollowsTheStagesAndDeletingItDeprovisions() throws Exception {
        management.client().resource(fromExample("gcp", "declared-gcp")).create();
        Resource<GenericKubernetesResource> resource = resource("declared-gcp");

        await().atMost(Duration.ofSeconds(30)).until(() -> status(resource, "clusterId") != null);
        String id = status(resource, "clusterId");
        assertThat(status(resource, "stage")).isEqualTo("Requested");
        given().get("/api/v1/clusters/" + id).then().statusCode(200)
                .body("name", equalTo("declared-gcp")).body("project", equalTo(NAMESPACE))
                .body("provider", equalTo("gcp"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                TopicReader.payloads(bootstrapServers, Topics.CLUSTER_REQUESTED, id)).singleElement()
                .satisfies(event -> assertThat(((ClusterRequested) event).spec().name()).isEqualTo("declared-gcp")));

        TopicWriter.send(bootstrapServers, EventEnvelope.create(URI.create("/pivotplane/test"), "corr",
                new SpecsCreated(id, NAMESPACE, List.of(), Instant.now())));
        await().atMost(Duration.ofSeconds(30)).until(() -> "SpecsCreated".equals(status(resource, "stage")));

        assertThat(resource.get().getMetadata().getFinalizers()).contains(ClusterRequestResources.FINALIZER);
        resource.delete();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                TopicReader.payloads(bootstrapServers, Topics.CLUSTER_DELETION_REQUESTED, id)).singleElement()
                .satisfies(event -> assertThat(((ClusterDeletionRequested) event).namespace()).isEqualTo(NAMESPACE)));
        // the resource stays, marked for deletion, until its cluster is gone
        await().atMost(Duration.ofSeconds(30)).until(() -> "Deleting".equals(status(resource, "stage")));
        assertThat(resource.get().getMetadata().getDeletionTimestamp()).isNotNull();

        TopicWriter.send(bootstrapServers, EventEnvelope.create(URI.create("/pivotplane/test"), "corr",
                new ClusterDeleted(id, ClusterDeleted.MANAGEMENT, List.of(), Instant.now())));
        await().atMost(Duration.ofSeconds(30)).until(() -> resource.get() == null);
        given().get("/api/v1/clusters/" + id).then().body("stage", equalTo("Deleted"));
    }

    @Test
    void aClusterProfileResourceIsStoredAsItsVersionAndARequestThatCameFirstGoesOnOnceItIs() throws Exception {
        String profile = "declared-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        GenericKubernetesResource request = fromExample("aws", "declared-aws");
        ObjectMaps.mapAt(request, "spec").put("profile", new java.util.LinkedHashMap<>(Map.of("name", profile,
                "version", "1.0.0")));
        management.client().resource(request).create();
        Resource<GenericKubernetesResource> requestResource = resource("declared-aws");
        await().atMost(Duration.ofSeconds(30)).until(() -> ClusterRequestCrd.STAGE_INVALID.equals(
                status(requestResource, "stage")));
        assertThat(status(requestResource, "message")).contains("no profile is named '" + profile + "'");

        GenericKubernetesResource declared = new ObjectMapper(new YAMLFactory()).readValue(Files.readString(
                examples().resolve("profiles/baseline-1.0.0.yaml")), GenericKubernetesResource.class);
        declared.getMetadata().setName(profile);
        management.client().resource(declared).create();
        Resource<GenericKubernetesResource> profileResource = management.client().genericKubernetesResources(
                ClusterRequestCrd.API_VERSION, ClusterRequestCrd.PROFILE_KIND).withName(profile);

        await().atMost(Duration.ofSeconds(30)).until(() -> "True".equals(status(profileResource, "stored")));
        given().get("/api/v1/profiles/" + profile + "/versions/1.0.0").then().statusCode(200)
                .body("addons.name", org.hamcrest.Matchers.hasItems("flannel", "widgets"));
        await().atMost(Duration.ofSeconds(30)).until(() -> status(requestResource, "clusterId") != null);

        // a spec the store refuses: the status says why, nothing is stored
        profileResource.edit(current -> {
            ObjectMaps.mapAt(current, "spec").put("version", "2.0.0");
            ObjectMaps.mapAt(current, "spec").put("addons", List.of(Map.of("name", "no-network")));
            return current;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> "False".equals(status(profileResource, "stored")));
        assertThat(status(profileResource, "message")).contains("addons: must include the cluster's network plugin");
        given().get("/api/v1/profiles/" + profile + "/versions/2.0.0").then().statusCode(404);
    }

    @Test
    void aResourceThatNeverBecameAClusterGoesAtOnceWhenDeleted() throws Exception {
        Resource<GenericKubernetesResource> resource = refusedWithEvenReplicas("declared-gone");

        resource.delete();

        await().atMost(Duration.ofSeconds(30)).until(() -> resource.get() == null);
    }

    @Test
    void aResourceTheApiWouldRefuseShowsWhyInItsStatusAndRequestsNothing() throws Exception {
        Resource<GenericKubernetesResource> resource = refusedWithEvenReplicas("declared-even");

        assertThat(status(resource, "message")).contains("controlPlane.replicas", "odd");
        assertThat(status(resource, "clusterId")).isNull();
        given().get("/api/v1/clusters?project=" + NAMESPACE + "&size=100").then()
                .body("items.name", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem("declared-even")));
    }

    /** A resource the API would refuse (two control-plane replicas), once its status says so. */
    private Resource<GenericKubernetesResource> refusedWithEvenReplicas(String name) throws IOException {
        GenericKubernetesResource invalid = fromExample("vsphere", name);
        ObjectMaps.mapAt(invalid, "spec", "controlPlane").put("replicas", 2);
        management.client().resource(invalid).create();
        Resource<GenericKubernetesResource> resource = resource(name);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ClusterRequestCrd.STAGE_INVALID.equals(status(resource, "stage")));
        return resource;
    }

    private static Path examples() {
        Path dir = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(dir.resolve("examples/profiles"))) {
            dir = dir.getParent();
        }
        return dir.resolve("examples");
    }

    @Test
    void anEditOfTheResourceChangesItsClusterOnceItRunsAndARefusedEditIsNamedInItsStatus() throws Exception {
        management.client().resource(fromExample("gcp", "edited-gcp")).create();
        Resource<GenericKubernetesResource> resource = resource("edited-gcp");
        await().atMost(Duration.ofSeconds(30)).until(() -> status(resource, "clusterId") != null);
        String id = status(resource, "clusterId");

        resource.edit(edited -> {
            @SuppressWarnings("unchecked")
            var pools = (List<Map<String, Object>>) ObjectMaps.mapAt(edited, "spec").get("workerPools");
            pools.get(0).put("replicas", 5);
            return edited;
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(resource, "message"))
                .startsWith("change waits: cluster edited-gcp is Requested"));
        TopicWriter.send(bootstrapServers, EventEnvelope.create(URI.create("/pivotplane/test"), "corr",
                new AddonsInstalled(id, List.of(), Instant.now())));

        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertThat(status(resource, "message"))
                .isEqualTo("change 1: pool md-0: 3 → 5 machines"));
        assertThat(status(resource, "stage")).isEqualTo("AddonsInstalled");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                TopicReader.payloads(bootstrapServers, Topics.CLUSTER_CHANGE_REQUESTED, id)).singleElement()
                .satisfies(event -> assertThat(((ClusterChangeRequested) event).spec().workerPools().get(0).replicas())
                        .isEqualTo(5)));

        resource.edit(edited -> {
            ObjectMaps.mapAt(edited, "spec").put("kubernetesVersion", "v1.32.0");
            return edited;
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(status(resource, "message"))
                .startsWith("change refused: kubernetesVersion: can go up one minor version at a time"));
        given().get("/api/v1/clusters/" + id).then().body("kubernetesVersion", equalTo("v1.30.5"))
                .body("change.generation", equalTo(1));
    }

    private static GenericKubernetesResource fromExample(String provider, String name) throws IOException {
        GenericKubernetesResource resource = new ObjectMapper(new YAMLFactory()).readValue(
                Files.readString(examples().resolve(provider + ".yaml")), GenericKubernetesResource.class);
        resource.getMetadata().setName(name);
        resource.getMetadata().setNamespace(NAMESPACE);
        return resource;
    }

    private Resource<GenericKubernetesResource> resource(String name) {
        return management.client().genericKubernetesResources(ClusterRequestCrd.API_VERSION, ClusterRequestCrd.KIND)
                .inNamespace(NAMESPACE).withName(name);
    }

    private static String status(Resource<GenericKubernetesResource> resource, String field) {
        GenericKubernetesResource current = resource.get();
        return current == null ? null : ObjectMaps.string(current, "status", field).orElse(null);
    }
}
