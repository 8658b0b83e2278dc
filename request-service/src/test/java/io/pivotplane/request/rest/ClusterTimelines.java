package io.pivotplane.request.rest;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.pivotplane.devstack.testing.TopicWriter;
import io.pivotplane.events.ClusterEvent;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.request.ClusterRequests;
import io.restassured.http.ContentType;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;

/** Clusters requested through the API, and pipeline events about them, for the tests of their stages. */
final class ClusterTimelines {

    static final String CLUSTERS = "/api/v1/clusters";

    private ClusterTimelines() {
    }

    /** Requests a vSphere cluster and waits until its own Requested is recorded; @return its id */
    static String create(String namePrefix) {
        String name = namePrefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String id = given().contentType(ContentType.JSON).body(ClusterRequests.vsphere(name)).post(CLUSTERS).then()
                .statusCode(201).extract().path("id");
        // the request's own event comes on its own topic: wait for it, so that the timeline's order is the test's
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get(CLUSTERS + "/" + id).then()
                .body("timeline.stage", hasItem("Requested")));
        return id;
    }

    static void awaitStage(String id, String stage) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get(CLUSTERS + "/" + id).then()
                .body("stage", equalTo(stage)));
    }

    static void publish(String bootstrapServers, ClusterEvent payload) {
        TopicWriter.send(bootstrapServers, EventEnvelope.create(URI.create("/pivotplane/test"), "corr", payload));
    }
}
