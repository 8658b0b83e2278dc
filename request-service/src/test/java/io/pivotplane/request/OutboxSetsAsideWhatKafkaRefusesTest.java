package io.pivotplane.request;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agroal.api.AgroalDataSource;
import io.pivotplane.devstack.infra.EmbeddedKafkaBroker;
import io.pivotplane.devstack.testing.InjectInfrastructure;
import io.pivotplane.devstack.testing.KafkaAndPostgresResource;
import io.pivotplane.devstack.testing.TestClusters;
import io.pivotplane.devstack.testing.TopicReader;
import io.pivotplane.events.ClusterRequested;
import io.pivotplane.events.EventEnvelope;
import io.pivotplane.events.ProvisioningFailed;
import io.pivotplane.events.Stage;
import io.pivotplane.events.Topics;
import io.pivotplane.events.model.Addon;
import io.pivotplane.kit.messaging.Outbox;
import io.pivotplane.kit.messaging.OutboxRelay;
import io.pivotplane.kit.persistence.Transactions;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * An outbox row that Kafka refuses for good (an event over its 1 MiB) is set aside with its reason, its cluster is
 * failed saying why, and the requests behind it are published as if it had never been there.
 */
@QuarkusTest
@WithTestResource(value = KafkaAndPostgresResource.class)
class OutboxSetsAsideWhatKafkaRefusesTest {

    @InjectInfrastructure
    EmbeddedKafkaBroker kafka;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    Transactions transactions;

    @Inject
    Outbox outbox;

    @Test
    void aRowKafkaRefusesIsSetAsideItsClusterFailsAndTheNextRequestIsPublished() throws Exception {
        // what the door now refuses, written before it did: an event of 2 MiB
        String oversized = UUID.randomUUID().toString();
        Addon huge = new Addon("huge", "addon", "1.0", List.of("# " + "x".repeat(2 * 1024 * 1024)
                + "\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: huge\n"));
        transactions.inTransaction(connection -> {
            outbox.append(connection, EventEnvelope.create(URI.create("/pivotplane/test"), oversized,
                    new ClusterRequested(oversized, TestClusters.vsphere("team-a", "huge", 1, 0, List.of(huge)),
                            Instant.now())));
            return null;
        });

        String next = given().contentType(ContentType.JSON).body(ClusterRequests.vsphere("after-the-huge-one"))
                .post("/api/v1/clusters").then().statusCode(201).extract().path("id");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(TopicReader.payloads(
                kafka.bootstrapServers(), Topics.CLUSTER_REQUESTED, next)).hasSize(1));
        assertThat(failure(oversized)).hasValueSatisfying(reason -> assertThat(reason)
                .contains("Kafka refused it").contains("RecordTooLargeException"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(TopicReader.payloads(
                kafka.bootstrapServers(), Topics.CLUSTER_FAILED, oversized)).singleElement().satisfies(payload -> {
                    ProvisioningFailed failed = (ProvisioningFailed) payload;
                    assertThat(failed.stage()).isEqualTo(Stage.REQUESTED);
                    assertThat(failed.reason()).isEqualTo(OutboxRelay.REASON_EVENT_REFUSED);
                    assertThat(failed.message()).contains("ClusterRequested", "RecordTooLargeException");
                }));
        assertThat(TopicReader.payloads(kafka.bootstrapServers(), Topics.CLUSTER_REQUESTED, oversized)).isEmpty();
    }

    private Optional<String> failure(String clusterId) throws Exception {
        try (Connection c = dataSource.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT failure FROM outbox_event WHERE record_key = ?"
                     + " AND event_type = 'io.pivotplane.cluster.requested.v1'")) {
            s.setString(1, clusterId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }
}
