package io.pivotplane.request;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.LocalIssuerResource;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.Topics;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox: a request made while Kafka is down is accepted and stored, and its event goes out once Kafka is
 * back: each exactly once, in the order they were made. Meanwhile the outbox's wellness check says it is stuck.
 */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class, initArgs = @ResourceArg(
        name = KafkaAndPostgresResource.PRINCIPAL_ARG, value = "request-service"))
@WithTestResource(LocalIssuerResource.class)
class OutboxWhenKafkaIsDownTest {

    @BeforeEach
    void authenticate() {
        RestAssured.requestSpecification = ApiCallers.platformAdmin();
    }

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void requestsMadeWhileKafkaIsDownArePublishedOnceKafkaIsBackEachOnceInOrder() {
        kafka.stop();
        List<String> ids = new ArrayList<>();
        try {
            for (String name : List.of("while-down-1", "while-down-2", "while-down-3")) {
                String id = given().contentType(ContentType.JSON).body(ClusterRequests.vsphere(name))
                        .post("/api/v1/clusters").then().statusCode(201).extract().path("id");
                ids.add(id);
                assertThat(publishedAt(id)).as("event of " + name + " waits in the outbox").isFalse();
            }
            given().get("/api/v1/clusters/" + ids.get(0)).then().statusCode(200);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(outboxProgress()).isEqualTo("DOWN"));
        } finally {
            kafka.restart();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> ids.stream().allMatch(this::publishedAt));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(outboxProgress()).isEqualTo("UP"));
        List<String> publishedKeys = TopicReader.readAll(kafka.bootstrapServers(), Topics.CLUSTER_REQUESTED).stream()
                .map(ConsumerRecord::key)
                .filter(ids::contains)
                .toList();
        assertThat(publishedKeys).as("ClusterRequested records, each once, in request order").isEqualTo(ids);
    }

    /** The wellness check that alerts on an outbox nobody empties (stall-after is 2 s in tests). */
    private static String outboxProgress() {
        return given().get("/q/health/well").then().extract().jsonPath()
                .getString("checks.find { it.name == 'outbox-progress' }.status");
    }

    private boolean publishedAt(String clusterId) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT published_at IS NOT NULL FROM outbox_event WHERE record_key = ?")) {
            s.setString(1, clusterId);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as("outbox row of " + clusterId).isTrue();
                return rs.getBoolean(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
