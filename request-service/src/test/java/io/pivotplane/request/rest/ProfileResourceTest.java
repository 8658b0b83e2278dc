package io.pivotplane.request.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.LocalIssuerResource;
import io.pivotplane.devstack.testing.TestTokens;
import io.pivotplane.request.ApiCallers;
import io.pivotplane.request.ClusterRequests;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.AddonsInstalled;
import io.pivotplane.events.ProfileChanged;
import io.pivotplane.events.Topics;
import io.pivotplane.events.model.AddonResult;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stored cluster profiles: versions that platform admins create, everybody reads, that no longer change once a
 * cluster uses them, and that a cluster request names instead of carrying its add-ons.
 */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class, initArgs = @ResourceArg(
        name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "request-service"))
@WithTestResource(LocalIssuerResource.class)
class ProfileResourceTest {

    static final String PROFILES = "/api/v1/profiles";

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @BeforeEach
    void noDefaultCaller() {
        RestAssured.requestSpecification = null;
    }

    private static RequestSpecification admin() {
        return given().spec(ApiCallers.platformAdmin());
    }

    private static RequestSpecification as(String token) {
        return given().spec(ApiCallers.bearer(token));
    }

    @Test
    void aStoredVersionIsReadByEveryoneAndAClusterNamingItGetsItsAddonsWithItsOwnValues() {
        String name = "baseline-" + UUID.randomUUID().toString().substring(0, 8);
        admin().contentType(ContentType.JSON).body(profile(name, "1.0.0", 1)).post(PROFILES)
                .then().statusCode(201).header("Location", containsString(PROFILES + "/" + name + "/versions/1.0.0"));
        admin().contentType(ContentType.JSON).body(profile(name, "1.0.0", 1)).post(PROFILES)
                .then().statusCode(200);

        as(TestTokens.of("team-a", "viewer")).get(PROFILES + "?name=" + name)
                .then().statusCode(200).body("version", hasItem("1.0.0"));

        Map<String, Object> request = ClusterRequests.vsphere("uses-" + name);
        request.put("profile", Map.of("name", name, "version", "1.0.0",
                "values", Map.of("widgets", Map.of("image", Map.of("tag", "1.0.1")))));
        var cluster = admin().contentType(ContentType.JSON).body(request).post("/api/v1/clusters")
                .then().statusCode(201).extract();

        assertThat(cluster.<String>path("spec.profile.name")).isEqualTo(name);
        assertThat(cluster.<String>path("spec.profile.version")).isEqualTo("1.0.0");
        assertThat(cluster.<List<String>>path("spec.profile.addons.name")).containsExactly("calico", "widgets");
        assertThat(cluster.<String>path("spec.profile.addons[1].chart.values"))
                .as("the cluster's values laid over the profile's").contains("replicas: 1", "tag: \"1.0.1\"")
                .doesNotContain("1.0.0\"");
    }

    @Test
    void aVersionInUseNoLongerChangesAndANewVersionIsTheWayToChangeIt() {
        String name = "frozen-" + UUID.randomUUID().toString().substring(0, 8);
        admin().contentType(ContentType.JSON).body(profile(name, "1.0.0", 1)).post(PROFILES).then().statusCode(201);
        admin().contentType(ContentType.JSON).body(profile(name, "1.0.0", 2))
                .put(PROFILES + "/" + name + "/versions/1.0.0").then().statusCode(200);
        admin().contentType(ContentType.JSON).body(profile(name, "1.0.0", 3)).post(PROFILES)
                .then().statusCode(409).body("detail", containsString("new version"));

        Map<String, Object> request = ClusterRequests.vsphere("pins-" + name);
        request.put("profile", Map.of("name", name, "version", "1.0.0"));
        admin().contentType(ContentType.JSON).body(request).post("/api/v1/clusters").then().statusCode(201);

        admin().contentType(ContentType.JSON).body(profile(name, "1.0.0", 4))
                .put(PROFILES + "/" + name + "/versions/1.0.0")
                .then().statusCode(409).body("detail", containsString("used by 1 cluster(s)"));
        admin().get(PROFILES + "/" + name + "/versions/1.0.0").then().statusCode(200)
                .body("addons[1].chart.values.replicas", equalTo(2));
        admin().contentType(ContentType.JSON).body(profile(name, "1.1.0", 4)).post(PROFILES).then().statusCode(201);
    }

    @Test
    void onlyPlatformAdminsStoreProfilesAndBadOnesAreRefusedNamingEachProblem() {
        String name = "guarded-" + UUID.randomUUID().toString().substring(0, 8);
        as(TestTokens.of("team-a", "admin")).contentType(ContentType.JSON)
                .body(profile(name, "1.0.0", 1)).post(PROFILES).then().statusCode(403);

        Map<String, Object> bad = profile(name, "latest", 1);
        bad.put("addons", List.of(Map.of("name", "widgets", "chart", Map.of("repository", "charts.example.com",
                "name", "widgets", "version", "1.0.0"))));
        admin().contentType(ContentType.JSON).body(bad).post(PROFILES).then().statusCode(400)
                .body("errors.field", hasItem("version"))
                .body("errors.field", hasItem("addons"))
                .body("errors.field", hasItem("addons[0].chart.repository"));
    }

    @Test
    void aRequestNamingAProfileThatIsNotStoredIsRefusedNamingTheVersionsThereAre() {
        String name = "known-" + UUID.randomUUID().toString().substring(0, 8);
        admin().contentType(ContentType.JSON).body(profile(name, "1.0.0", 1)).post(PROFILES).then().statusCode(201);

        Map<String, Object> request = ClusterRequests.vsphere("wants-" + name);
        request.put("profile", Map.of("name", name, "version", "2.0.0"));
        admin().contentType(ContentType.JSON).body(request).post("/api/v1/clusters").then().statusCode(400)
                .body("errors[0].field", equalTo("profile"))
                .body("errors[0].message", containsString("has no version '2.0.0' (it has 1.0.0)"));

        request.put("profile", Map.of("name", name, "version", "1.0.0", "values", Map.of("calico", Map.of())));
        admin().contentType(ContentType.JSON).body(request).post("/api/v1/clusters").then().statusCode(400)
                .body("errors[0].field", equalTo("profile.values.calico"));
    }

    @Test
    void aRunningClusterMovesToTheNextVersionOnceItsAddonsAreInstalledAndItsViewFollowsTheNewGeneration() {
        String name = "moving-" + UUID.randomUUID().toString().substring(0, 8);
        admin().contentType(ContentType.JSON).body(profile(name, "1.0.0", 1)).post(PROFILES).then().statusCode(201);
        admin().contentType(ContentType.JSON).body(profile(name, "1.1.0", 2)).post(PROFILES).then().statusCode(201);
        Map<String, Object> request = ClusterRequests.vsphere("runs-" + name);
        request.put("profile", Map.of("name", name, "version", "1.0.0"));
        String id = admin().contentType(ContentType.JSON).body(request).post("/api/v1/clusters").then()
                .statusCode(201).extract().path("id");
        Map<String, Object> next = Map.of("name", name, "version", "1.1.0");

        admin().contentType(ContentType.JSON).body(next).put("/api/v1/clusters/" + id + "/profile")
                .then().statusCode(409).body("detail", containsString("once its add-ons are installed"));

        ClusterTimelines.publish(bootstrapServers, new AddonsInstalled(id, List.of(
                new AddonResult("calico", AddonResult.State.INSTALLED, "bootstrap layer"),
                new AddonResult("widgets", AddonResult.State.INSTALLED, "ready")), Instant.now()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> admin().get("/api/v1/clusters/" + id).then()
                .body("stage", equalTo("AddonsInstalled")));
        as(TestTokens.of("team-a", "viewer")).contentType(ContentType.JSON).body(next)
                .put("/api/v1/clusters/" + id + "/profile").then().statusCode(403);

        admin().contentType(ContentType.JSON).body(next).put("/api/v1/clusters/" + id + "/profile").then()
                .statusCode(202).body("spec.profile.version", equalTo("1.1.0"))
                .body("addons.state", everyItem(equalTo("Pending")));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(TopicReader.payloads(bootstrapServers,
                Topics.CLUSTER_PROFILE_CHANGED, id)).singleElement().satisfies(event -> {
                    ProfileChanged changed = (ProfileChanged) event;
                    assertThat(changed.generation()).isEqualTo(1);
                    assertThat(changed.profile().version()).isEqualTo("1.1.0");
                    assertThat(changed.profile().addons().get(1).chart().values()).contains("replicas: 2");
                }));
        ClusterTimelines.publish(bootstrapServers, new AddonsInstalled(id, List.of(
                new AddonResult("calico", AddonResult.State.INSTALLED, "unchanged"),
                new AddonResult("widgets", AddonResult.State.DEGRADED, "failed 3 time(s): ImagePullBackOff")),
                Instant.now(), 1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> admin().get("/api/v1/clusters/" + id).then()
                .body("addons.state", contains("Installed", "Degraded"))
                .body("addons[1].message", containsString("ImagePullBackOff")));
    }

    private static Map<String, Object> profile(String name, String version, int replicas) {
        Map<String, Object> profile = new LinkedHashMap<>();
        profile.put("name", name);
        profile.put("version", version);
        profile.put("description", "the platform team's baseline");
        profile.put("addons", List.of(
                Map.of("name", "calico", "layer", "cni", "manifests", List.of("apiVersion: apps/v1\nkind: DaemonSet\n"
                        + "metadata:\n  name: calico-node\n  namespace: kube-system\n")),
                Map.of("name", "widgets", "chart", Map.of("repository", "https://charts.example.com/stable",
                        "name", "widgets", "version", "1.0.0", "namespace", "widgets",
                        "values", Map.of("replicas", replicas, "image", Map.of("tag", "1.0.0"))))));
        return profile;
    }
}
