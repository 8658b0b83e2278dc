package io.pivotplane.request;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.Topics;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The outbox: a request made while Kafka is down is accepted and stored, and its event goes out once Kafka is
 * back, exactly once.
 */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class)
class OutboxWhenKafkaIsDownTest {

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aRequestMadeWhileKafkaIsDownIsPublishedOnceKafkaIsBack() {
        kafka.stop();
        String id;
        try {
            id = given().contentType(ContentType.JSON).body(ClusterRequests.vsphere("while-kafka-down"))
                    .post("/api/v1/clusters").then().statusCode(201).extract().path("id");

            assertThat(publishedAt(id)).as("event waits in the outbox").isFalse();
            given().get("/api/v1/clusters/" + id).then().statusCode(200);
        } finally {
            kafka.restart();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> publishedAt(id));
        long published = TopicReader.readAll(kafka.bootstrapServers(), Topics.CLUSTER_REQUESTED).stream()
                .filter(r -> id.equals(r.key()))
                .count();
        assertThat(published).as("ClusterRequested records for the cluster").isEqualTo(1);
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
