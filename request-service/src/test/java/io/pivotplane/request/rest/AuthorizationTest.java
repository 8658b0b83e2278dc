package io.pivotplane.request.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.LocalIssuerResource;
import io.pivotplane.devstack.testing.TestTokens;
import io.pivotplane.request.ApiCallers;
import io.pivotplane.request.ClusterRequests;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who may do what through the request API: no valid token, 401; a role in one project gives nothing in another, and
 * a cluster of a project the caller may not read is refused exactly as an id nobody has.
 */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class, initArgs = @ResourceArg(
        name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "request-service"))
@WithTestResource(LocalIssuerResource.class)
class AuthorizationTest {

    private static final String CLUSTERS = ClusterTimelines.CLUSTERS;

    @BeforeEach
    void noDefaultCaller() {
        RestAssured.requestSpecification = null;
    }

    @Test
    void everyCallWithoutAValidTokenIsUnauthorizedAndChangesNothing() {
        String id = createAs(TestTokens.platformAdmin(), "team-a");
        Map<String, Object> body = ClusterRequests.aws(uniqueName());
        for (RequestSpecification caller : List.of(given(), as(TestTokens.expired("team-a", "admin")),
                as(TestTokens.forged("team-a", "admin")), given().header("Authorization", "Bearer not-a-token"),
                given().auth().preemptive().basic("admin", "admin"))) {
            given().spec(caller).get(CLUSTERS).then().statusCode(401);
            given().spec(caller).get(CLUSTERS + "/" + id).then().statusCode(401);
            given().spec(caller).get(CLUSTERS + "/" + id + "/events").then().statusCode(401);
            given().spec(caller).get("/api/v1/events").then().statusCode(401);
            given().spec(caller).contentType(ContentType.JSON).body(body).post(CLUSTERS).then().statusCode(401);
            given().spec(caller).delete(CLUSTERS + "/" + id).then().statusCode(401);
        }
        as(TestTokens.platformAdmin()).get(CLUSTERS + "/" + id).then().statusCode(200)
                .body("stage", equalTo("Requested"));
        as(TestTokens.platformAdmin()).get(CLUSTERS + "?project=team-a&name=" + body.get("name")).then()
                .body("totalItems", equalTo(0));
    }

    @Test
    void aTokenOfOneProjectCannotReadListOrDeleteAnotherProjectsClustersNorLearnThatTheyExist() {
        String ofB = createAs(TestTokens.platformAdmin(), "team-b");
        String teamA = TestTokens.of("team-a", "admin");
        String ofA = createAs(teamA, "team-a");

        ValidatableResponse otherProjects = as(teamA).get(CLUSTERS + "/" + ofB).then().statusCode(403)
                .contentType("application/problem+json").body("type", equalTo("urn:pivotplane:problem:forbidden"));
        ValidatableResponse nobodys = as(teamA).get(CLUSTERS + "/" + UUID.randomUUID()).then().statusCode(403);
        assertThat(otherProjects.extract().path("detail").toString().replace(ofB, "<id>"))
                .isEqualTo(nobodys.extract().path("detail").toString().replaceAll("'[0-9a-f-]{36}'", "'<id>'"));
        as(teamA).get(CLUSTERS + "/" + ofB + "/events").then().statusCode(403);
        as(teamA).delete(CLUSTERS + "/" + ofB).then().statusCode(403);
        as(teamA).get(CLUSTERS + "?project=team-b").then().statusCode(403);
        as(teamA).get(CLUSTERS + "?size=100").then().statusCode(200)
                .body("items.project", everyItem(equalTo("team-a")))
                .body("items.id", hasItem(ofA)).body("items.id", not(hasItem(ofB)));

        as(TestTokens.platformAdmin()).get(CLUSTERS + "/" + ofB).then().statusCode(200)
                .body("stage", equalTo("Requested"));
        as(TestTokens.platformAdmin()).get(CLUSTERS + "/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void aClusterCannotBeRequestedInAProjectWhereTheCallerIsNotAnEditor() {
        String name = uniqueName();
        as(TestTokens.of("team-a", "editor")).contentType(ContentType.JSON).body(inProject(name, "team-b"))
                .post(CLUSTERS).then().statusCode(403).body("detail", equalTo("editor@team-a.example.com may not "
                        + "request clusters in project 'team-b' (needs role editor)"));
        as(TestTokens.of("team-b", "viewer")).contentType(ContentType.JSON).body(inProject(name, "team-b"))
                .post(CLUSTERS).then().statusCode(403);

        as(TestTokens.platformAdmin()).get(CLUSTERS + "?project=team-b&name=" + name).then().body("totalItems", equalTo(0));
    }

    @Test
    void aViewerReadsItsProjectsClustersButCannotDeleteThem() {
        String id = createAs(TestTokens.of("team-a", "editor"), "team-a");
        String viewer = TestTokens.of("team-a", "viewer");

        as(viewer).get(CLUSTERS + "/" + id).then().statusCode(200);
        as(viewer).delete(CLUSTERS + "/" + id).then().statusCode(403);

        as(viewer).get(CLUSTERS + "/" + id).then().body("stage", equalTo("Requested"));
        as(TestTokens.of("team-a", "editor")).delete(CLUSTERS + "/" + id).then().statusCode(202);
    }

    @Test
    void groupsThatAreNotPivotplanesGiveNoRole() {
        String id = createAs(TestTokens.platformAdmin(), "team-a");
        String outsider = TestTokens.withGroups("someone@example.com",
                List.of("team-a", "team-a:admin", "platform-admin", "pivotplane:team-a:owner", "pivotplane:team-a"));

        as(outsider).get(CLUSTERS + "/" + id).then().statusCode(403);
        as(outsider).get(CLUSTERS).then().statusCode(200).body("totalItems", equalTo(0));
    }

    @Test
    void theStatusPageItselfNeedsNoToken() {
        given().get("/").then().statusCode(200).contentType(ContentType.HTML);
        given().get("/q/health/live").then().statusCode(200);
    }

    private static String createAs(String token, String project) {
        return as(token).contentType(ContentType.JSON).body(inProject(uniqueName(), project)).post(CLUSTERS).then()
                .statusCode(201).extract().path("id");
    }

    private static Map<String, Object> inProject(String name, String project) {
        Map<String, Object> body = ClusterRequests.vsphere(name);
        body.put("project", project);
        return body;
    }

    private static RequestSpecification as(String token) {
        return given().spec(ApiCallers.bearer(token));
    }

    private static String uniqueName() {
        return "auth-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
